package dev.proxylaw.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.proxylaw.analysis.fit.Interval;
import dev.proxylaw.analysis.report.ReportModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts of laws.json the report draws: Step Law with its replicates, held-out checks, Power constants, notes. */
final class LawsJson {
    final List<ReportModel.StepLaw> stepLaws = new ArrayList<>();
    final List<ReportModel.Holdout> holdouts = new ArrayList<>();
    final List<ReportModel.Power> powers = new ArrayList<>();
    final Map<String, List<String>> notes = new LinkedHashMap<>();

    LawsJson(JsonNode root) {
        root.path("families").fields().forEachRemaining(e -> read(e.getKey(), e.getValue()));
    }

    private void read(String family, JsonNode f) {
        JsonNode s = f.get("step_law");
        if (s != null) {
            List<double[]> reps = new ArrayList<>();
            s.path("replicates").forEach(r -> {
                double[] v = new double[r.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.get(i).asDouble(Double.NaN);
                }
                reps.add(v);
            });
            stepLaws.add(new ReportModel.StepLaw(family, iv(s.get("c0")), iv(s.get("cN")), iv(s.get("cD")), iv(s.get("k0")),
                    iv(s.get("kD")), reps, s.path("cells").asInt(), s.path("kept_runs").asInt()));
        }
        JsonNode h = f.get("holdout");
        if (h != null) {
            List<ReportModel.Holdout.Check> checks = new ArrayList<>();
            h.path("checks").forEach(c -> checks.add(new ReportModel.Holdout.Check(c.path("n").asDouble(),
                    c.path("d").asDouble(), c.path("lr_pred").asDouble(), c.path("batch_tokens_pred").asDouble(),
                    c.path("relative_error").asDouble(Double.NaN))));
            holdouts.add(new ReportModel.Holdout(family, h.path("held_out_n").asDouble(),
                    h.path("mean_relative_error").asDouble(Double.NaN), checks));
        }
        JsonNode p = f.get("power");
        if (p != null) {
            Map<String, Interval[]> bySize = new LinkedHashMap<>();
            p.path("by_size").fields().forEachRemaining(e -> bySize.put(e.getKey(),
                    new Interval[] {iv(e.getValue().get("ln_a")), iv(e.getValue().get("b"))}));
            powers.add(new ReportModel.Power(family, iv(p.get("ln_a")), iv(p.get("b")), bySize, p.path("sizes_agree").asBoolean()));
        }
        List<String> n = new ArrayList<>();
        f.path("notes").forEach(x -> n.add(x.asText()));
        notes.put(family, n);
    }

    private static Interval iv(JsonNode n) {
        if (n == null) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Interval(n.path("point").asDouble(Double.NaN), n.path("mean").asDouble(Double.NaN),
                n.path("lo95").asDouble(Double.NaN), n.path("hi95").asDouble(Double.NaN));
    }
}
