package dev.proxylaw.jobs.report;

import dev.proxylaw.analysis.fit.Interval;
import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.analysis.report.ReportModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts of laws.json ({@link LawsDocument}) the report draws: Step Law with its replicates, held-out checks, Power constants, notes. */
final class LawsJson {
    final List<ReportModel.StepLaw> stepLaws = new ArrayList<>();
    final List<ReportModel.Holdout> holdouts = new ArrayList<>();
    final List<ReportModel.Power> powers = new ArrayList<>();
    final Map<String, List<String>> notes = new LinkedHashMap<>();

    /** What the fit ranked runs on (laws.json ranked_on); fits written before it ranked on the smoothed loss. */
    final String rankedOn;

    LawsJson(LawsDocument doc) {
        rankedOn = doc.rankedOn() == null ? dev.proxylaw.analysis.fit.RankLoss.SMOOTHED.describe() : doc.rankedOn();
        doc.families().forEach(this::read);
    }

    private void read(String family, LawsDocument.Family f) {
        LawsDocument.StepLaw s = f.stepLaw();
        if (s != null) {
            stepLaws.add(new ReportModel.StepLaw(family, iv(s.c0()), iv(s.cN()), iv(s.cD()), iv(s.k0()), iv(s.kD()),
                    s.replicates(), s.cells(), s.keptRuns()));
        }
        LawsDocument.Holdout h = f.holdout();
        if (h != null) {
            List<ReportModel.Holdout.Check> checks = new ArrayList<>();
            h.checks().forEach(c -> checks.add(new ReportModel.Holdout.Check(c.n(), c.d(), c.lrPred(), c.batchTokensPred(),
                    c.relativeError() == null ? Double.NaN : c.relativeError())));
            holdouts.add(new ReportModel.Holdout(family, h.heldOutN(),
                    h.meanRelativeError() == null ? Double.NaN : h.meanRelativeError(), checks));
        }
        LawsDocument.Power p = f.power();
        if (p != null) {
            Map<String, Interval[]> bySize = new LinkedHashMap<>();
            p.bySize().forEach((size, x) -> bySize.put(size, new Interval[] {iv(x.lnA()), iv(x.b())}));
            powers.add(new ReportModel.Power(family, iv(p.lnA()), iv(p.b()), bySize, Boolean.TRUE.equals(p.sizesAgree())));
        }
        notes.put(family, f.notes() == null ? List.of() : f.notes());
    }

    private static Interval iv(Coefficient c) {
        return c == null ? new Interval(Double.NaN, Double.NaN, Double.NaN, Double.NaN) : c.interval();
    }
}
