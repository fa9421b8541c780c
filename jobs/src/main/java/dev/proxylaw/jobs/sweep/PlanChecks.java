package dev.proxylaw.jobs.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.ModelStats;
import dev.proxylaw.trainer.schedule.Schedule;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a plan can identify, said before anything trains: for each family of runs (everything but size,
 * budget, LR, batch and seed), which laws and checks of the fit its axes can pin down and which they
 * cannot, with the reason. The rules are science.md's "Designing a study at proxy scale": a coefficient
 * needs its variable to vary (and not in lockstep with another), an optimum needs LR points on both sides,
 * a noise floor needs repeated seeds, and a Power-schedule run must leave its cap.
 */
public final class PlanChecks {
    /** One verdict: a law or check, whether this plan can identify it, and why. */
    public record Check(String family, String what, boolean identifiable, String why) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private PlanChecks() {
    }

    /** A run as the checks see it. */
    private record Point(long n, long d, double lr, long batchTokens, long seed, int width, int depth, RunConfig cfg) {
    }

    public static List<Check> of(Plan plan) {
        Map<String, List<Point>> families = new LinkedHashMap<>();
        for (PlannedRun r : plan.runs()) {
            RunConfig c = r.config();
            long n = ModelStats.nStepLaw(c.model().dModel(), c.model().nLayers());
            long d = c.totalSteps() * c.tokensPerStep();
            families.computeIfAbsent(family(c), k -> new ArrayList<>()).add(new Point(n, d, c.optim().lr(),
                    c.tokensPerStep(), c.seed(), c.model().dModel(), c.model().nLayers(), c));
        }
        Map<String, String> names = shortNames(families.keySet());
        List<Check> out = new ArrayList<>();
        for (var e : families.entrySet()) {
            out.addAll(checks(names.get(e.getKey()), e.getValue()));
        }
        return out;
    }

    private static List<Check> checks(String f, List<Point> pts) {
        List<Check> out = new ArrayList<>();
        TreeSet<Long> ns = new TreeSet<>();
        TreeSet<Long> ds = new TreeSet<>();
        TreeSet<Integer> widths = new TreeSet<>();
        TreeSet<Integer> depths = new TreeSet<>();
        Map<String, TreeSet<Double>> lrsByCell = new TreeMap<>();
        Map<String, TreeSet<Long>> batchesByCell = new TreeMap<>();
        Map<String, TreeSet<Long>> seedsByPoint = new TreeMap<>();
        Map<Long, TreeSet<Long>> dsByN = new TreeMap<>();
        for (Point p : pts) {
            ns.add(p.n());
            ds.add(p.d());
            widths.add(p.width());
            depths.add(p.depth());
            String cell = p.n() + "/" + p.d();
            lrsByCell.computeIfAbsent(cell + "/" + p.batchTokens(), k -> new TreeSet<>()).add(p.lr());
            batchesByCell.computeIfAbsent(cell, k -> new TreeSet<>()).add(p.batchTokens());
            seedsByPoint.computeIfAbsent(cell + "/" + p.batchTokens() + "/" + p.lr(), k -> new TreeSet<>()).add(p.seed());
            dsByN.computeIfAbsent(p.n(), k -> new TreeSet<>()).add(p.d());
        }
        int minLrs = lrsByCell.values().stream().mapToInt(TreeSet::size).min().orElse(0);
        out.add(new Check(f, "cell optima (parabola in log LR)", minLrs >= 3, minLrs >= 5
                ? "every cell has " + minLrs + "+ LRs (2 on each side of the optimum are possible)"
                : minLrs >= 3 ? "the sparsest cell has " + minLrs + " LRs: an optimum can be refined, but cannot have 2 points "
                + "on each side; give 5 or more around the pilot's optimum"
                : "the sparsest cell has " + minLrs + " LR" + (minLrs == 1 ? "" : "s") + ": no optimum can be located"));
        double[] collinear = lnCorrelation(pts);
        boolean nVaries = ns.size() >= 2;
        boolean dVaries = ds.size() >= 2;
        boolean tied = nVaries && dVaries && Math.abs(collinear[0]) > 0.99;
        String axes = ns.size() + " N over " + span(ns) + "x, " + ds.size() + " D over " + span(ds) + "x";
        out.add(new Check(f, "Step Law cN (lr ~ N^cN)", nVaries && !tied,
                !nVaries ? "one N (" + ns.first() + "): N is not varied" : tied ? "ln N and ln D move together (corr "
                        + fmt(collinear[0]) + "): D tied to N, cN and cD are collinear" : axes + ", corr(ln N, ln D) "
                        + fmt(collinear[0])));
        out.add(new Check(f, "Step Law cD (lr ~ D^cD)", dVaries && !tied,
                !dVaries ? "one D (" + ds.first() + "): the budget is not varied" : tied ? "D tied to N (corr "
                        + fmt(collinear[0]) + ")" : axes + "; D per N: " + perN(dsByN)));
        int batchCells = (int) batchesByCell.values().stream().filter(b -> b.size() >= 2).count();
        int maxBatches = batchesByCell.values().stream().mapToInt(TreeSet::size).max().orElse(0);
        boolean batch = batchCells > 0 && dVaries;
        out.add(new Check(f, "Step Law kD (B_opt ~ D^kD)", batch, maxBatches < 2
                ? "batch is not swept (one batch per cell): B_opt is the one batch trained, so kD is unidentified"
                : !dVaries ? "one D: a batch optimum exists but its trend in D does not"
                : batchCells + " of " + batchesByCell.size() + " cells sweep " + maxBatches + "+ batches"
                + (maxBatches < 3 ? " (3 or more are needed to tell flat from sloped)" : "")));
        boolean surface = ns.size() >= 3 && ds.size() >= 3 && !tied;
        out.add(new Check(f, "loss surface E + A/N^a + B/D^b", surface, surface ? axes
                : "needs 3+ N and 3+ D that do not move together; has " + axes));
        int repeated = (int) seedsByPoint.values().stream().filter(s -> s.size() >= 3).count();
        out.add(new Check(f, "noise floor (seed spread of the smoothed loss)", repeated > 0, repeated > 0
                ? repeated + " points repeat 3+ seeds: the plateau band can be checked against the noise"
                : "no point repeats 3 or more seeds: the band (0.25%) cannot be justified against noise"));
        out.add(new Check(f, "width transfer (eta_opt against width)", widths.size() >= 3,
                widths.size() + " width" + (widths.size() == 1 ? "" : "s") + " " + widths
                        + (widths.size() >= 3 ? "" : ": 3 or more at one budget are needed")));
        out.add(new Check(f, "depth transfer (eta_opt against depth)", depths.size() >= 3,
                depths.size() + " depth" + (depths.size() == 1 ? "" : "s") + " " + depths
                        + (depths.size() >= 3 ? "" : ": 3 or more are needed")));
        out.add(new Check(f, "max-logit growth against N", nVaries, nVaries ? ns.size() + " sizes" : "one size"));
        out.addAll(powerChecks(f, pts, ds, batchesByCell, ns));
        return out;
    }

    private static List<Check> powerChecks(String f, List<Point> pts, TreeSet<Long> ds,
                                           Map<String, TreeSet<Long>> batchesByCell, TreeSet<Long> ns) {
        List<Check> out = new ArrayList<>();
        int power = 0;
        int capped = 0;
        for (Point p : pts) {
            if (p.cfg().schedule() instanceof Schedule.Power s) {
                power++;
                double release = s.capReleaseTokens(p.cfg().optim().lr(), p.cfg().train().batchSize());
                if (release > 0.5 * p.d()) {
                    capped++;
                }
            }
        }
        boolean dVaries = ds.size() >= 2;
        out.add(new Check(f, "Power (a, b): ln(eta_opt/B) = ln a + b ln D", dVaries,
                dVaries ? ds.size() + " D" : "one D: b is unidentified"));
        int maxBatches = batchesByCell.values().stream().mapToInt(TreeSet::size).max().orElse(0);
        out.add(new Check(f, "Power: eta_opt/B flat across B", maxBatches >= 3, maxBatches >= 3
                ? maxBatches + " batches per D" : maxBatches + " batch" + (maxBatches == 1 ? "" : "es")
                + " per D: 3 or more are needed"));
        out.add(new Check(f, "Power: b agrees across sizes", ns.size() >= 2 && ds.size() >= 3, ns.size() + " sizes, "
                + ds.size() + " D" + (ds.size() >= 3 ? "" : ": each size's b needs 3 or more D for an interval")));
        if (power > 0) {
            out.add(new Check(f, "Power schedule leaves its cap", capped == 0, capped == 0
                    ? "every Power run leaves eta_max before half its tokens"
                    : capped + " of " + power + " Power runs stay at eta_max past half their tokens: they test the cap, "
                    + "not the law; raise the cap eta_max (optim.lr) or the budget"));
        }
        return out;
    }

    /** The family: the run's canonical config without what the laws vary (size, budget, LR, batch, seed). */
    static String family(RunConfig c) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(ConfigIo.canonicalJson(c));
            root.remove(List.of("name", "seed"));
            ((ObjectNode) root.get("optim")).remove("lr");
            ((ObjectNode) root.get("model")).remove(List.of("d_model", "n_layers", "n_heads"));
            ((ObjectNode) root.get("train")).remove(List.of("steps", "tokens", "batch_size"));
            JsonNode param = root.get("param");
            if (param instanceof ObjectNode p && p.hasNonNull("embedding_lr_mult")) {
                // an embedding LR raised by the width factor (Kalra & Barkeshli's arm) is one family, not one per
                // width; the factor is d / base_width (SP included: the fit's RunsContract.WIDTH_FACTOR), 1 without one
                double mult = p.get("embedding_lr_mult").asDouble();
                double mN = p.hasNonNull("base_width") ? (double) c.model().dModel() / p.get("base_width").asInt() : 1.0;
                if (mult != 1.0 && Math.abs(mult - mN) < 1e-9 * mN) {
                    p.put("embedding_lr_mult", "x m_N");
                }
            }
            if (param instanceof ObjectNode p && "sp".equals(p.path("type").asText())) {
                p.remove("base_width");   // SP trains the same with or without one; only the rule above reads it
            }
            return JSON.writeValueAsString(root);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Families named by the config values that tell them apart ("all" when there is one). */
    private static Map<String, String> shortNames(Collection<String> families) {
        Map<String, String> out = new LinkedHashMap<>();
        if (families.size() == 1) {
            out.put(families.iterator().next(), "all runs");
            return out;
        }
        List<Map<String, String>> flat = new ArrayList<>();
        for (String f : families) {
            Map<String, String> m = new TreeMap<>();
            try {
                flatten("", JSON.readTree(f), m);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            flat.add(m);
        }
        TreeSet<String> differing = new TreeSet<>();
        for (Map<String, String> m : flat) {
            for (var e : m.entrySet()) {
                if (flat.stream().anyMatch(o -> !e.getValue().equals(o.get(e.getKey())))) {
                    differing.add(e.getKey());
                }
            }
        }
        int i = 0;
        for (String f : families) {
            Map<String, String> m = flat.get(i++);
            StringBuilder sb = new StringBuilder();
            for (String k : differing) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k).append('=').append(m.getOrDefault(k, "-"));
            }
            out.put(f, sb.toString());
        }
        return out;
    }

    private static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else {
            out.put(prefix, n.isTextual() ? n.asText() : n.toString());
        }
    }

    /** [corr(ln N, ln D)] over the family's distinct (N, D) cells; 0 when either is constant. */
    private static double[] lnCorrelation(List<Point> pts) {
        Map<String, double[]> cells = new TreeMap<>();
        for (Point p : pts) {
            cells.put(p.n() + "/" + p.d(), new double[] {Math.log(p.n()), Math.log(p.d())});
        }
        double mx = 0;
        double my = 0;
        for (double[] c : cells.values()) {
            mx += c[0];
            my += c[1];
        }
        mx /= cells.size();
        my /= cells.size();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (double[] c : cells.values()) {
            sxy += (c[0] - mx) * (c[1] - my);
            sxx += (c[0] - mx) * (c[0] - mx);
            syy += (c[1] - my) * (c[1] - my);
        }
        return new double[] {sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy)};
    }

    private static String span(TreeSet<Long> v) {
        return String.format("%.1f", (double) v.last() / v.first());
    }

    private static String perN(Map<Long, TreeSet<Long>> dsByN) {
        int min = dsByN.values().stream().mapToInt(TreeSet::size).min().orElse(0);
        double minSpan = dsByN.values().stream().mapToDouble(s -> (double) s.last() / s.first()).min().orElse(1);
        return "at least " + min + " over " + String.format("%.1f", minSpan) + "x";
    }

    private static String fmt(double x) {
        return String.format("%.2f", x);
    }
}
