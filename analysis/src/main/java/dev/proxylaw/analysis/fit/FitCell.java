package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One (family, N, D) cell as the fit sees it: its optimum, its runs, its LR sensitivity (NaN without a loss
 * at init), block 0's max attention logits, and the shape it was trained at (NaN where the source does not
 * say: width, depth and sequence length of a table from elsewhere).
 */
public record FitCell(RunRecord.CellKey key, CellOptimum optimum, List<RunPoint> runs, double lrSensitivity,
                      List<MaxLogitExtrapolation.Point> logits, double width, double depth, double seqLen)
        implements java.io.Serializable {
    public String family() {
        return key.family();
    }

    /** Censored: the best run sits at an end of the LR ladder (see {@link CellOptimum#along}). */
    public boolean edge() {
        return optimum.edge();
    }

    /** Usable by a law: some run completed, and the optimum is bracketed unless the rule keeps censored cells. */
    public boolean usable(EdgeRule rule) {
        return !optimum.allDiverged() && (rule == EdgeRule.KEEP || !optimum.edge());
    }

    /** Groups runs by exact (family, N, D) into cells, in (family, N, D) order; FAILED runs are counted, not fitted. */
    public static List<FitCell> of(List<RunRecord> records, double band) {
        Map<RunRecord.CellKey, List<RunRecord>> byKey = new TreeMap<>();
        for (RunRecord r : records) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
        }
        List<FitCell> out = new ArrayList<>();
        byKey.forEach((key, rs) -> out.add(one(key, rs, band)));
        return out;
    }

    private static FitCell one(RunRecord.CellKey key, List<RunRecord> rs, double band) {
        String label = key.label();
        List<RunPoint> runs = new ArrayList<>();
        List<MaxLogitExtrapolation.Point> logits = new ArrayList<>();
        double init = 0;
        int inits = 0;
        double width = Double.NaN;
        double depth = Double.NaN;
        double seqLen = Double.NaN;
        for (RunRecord r : rs) {
            runs.add(new RunPoint(label, r.n(), r.d(), r.lr(), r.batchTokens(),
                    r.status() == RunStatus.COMPLETED ? r.loss() : Double.NaN, r.status()));
            if (r.status() == RunStatus.FAILED) {
                continue;
            }
            if (Double.isFinite(r.block0Logit()) && r.block0Logit() > 0 && r.lr() > 0) {
                logits.add(new MaxLogitExtrapolation.Point(r.lr(), r.n(), r.block0Logit()));
            }
            if (Double.isFinite(r.initLoss())) {
                init += r.initLoss();
                inits++;
            }
            width = Double.isFinite(r.width()) ? r.width() : width;
            depth = Double.isFinite(r.depth()) ? r.depth() : depth;
            seqLen = Double.isFinite(r.seqLen()) ? r.seqLen() : seqLen;
        }
        CellOptimum opt = CellOptimum.of(label, runs, band);
        double sensitivity = inits == 0 || opt.allDiverged() ? Double.NaN : LrSensitivity.of(runs, init / inits);
        return new FitCell(key, opt, runs, sensitivity, logits, width, depth, seqLen);
    }
}
