package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wortsman et al.'s extrapolation of block 0's max attention logit ({@link MaxLogitExtrapolation}) through
 * the {@link Law} shape: per LR the slope on ln N and the crossing N, with intervals from replicates that
 * resample the sizes measured at each LR. A replicate whose line never rises never crosses; when some do not,
 * the crossing's upper bound is absent (unbounded).
 */
final class MaxLogitLaw {
    private MaxLogitLaw() {
    }

    static LawsDocument.MaxLogit fit(String family, List<FitCell> cells, FitCore.Options o, Replicates engine) {
        List<MaxLogitExtrapolation.Point> logits = cells.stream().flatMap(c -> c.logits().stream()).toList();
        if (logits.stream().mapToDouble(MaxLogitExtrapolation.Point::n).distinct().count() < 2) {
            return null;
        }
        double threshold = MaxLogitExtrapolation.DEFAULT_THRESHOLD;
        MaxLogitExtrapolation.Result all = MaxLogitExtrapolation.fit(logits, threshold);
        double[] lrs = all.fits().stream().mapToDouble(MaxLogitExtrapolation.LrFit::lr).toArray();
        Map<Double, List<MaxLogitExtrapolation.Point>> byLr = new TreeMap<>();
        for (MaxLogitExtrapolation.Point p : logits) {
            byLr.computeIfAbsent(p.lr(), k -> new ArrayList<>()).add(p);
        }
        // per fitted LR, in lrs order, its points as {ln N, ln logit}; a within-group resample keeps that order and
        // each group's size, so a replicate's lines are read off consecutive slices
        List<List<double[]>> groups = new ArrayList<>();
        int[] sizes = new int[lrs.length];
        for (int i = 0; i < lrs.length; i++) {
            List<double[]> g = new ArrayList<>();
            for (MaxLogitExtrapolation.Point p : byLr.get(lrs[i])) {
                g.add(new double[] {Math.log(p.n()), Math.log(p.maxLogit())});
            }
            groups.add(g);
            sizes[i] = g.size();
        }
        Law<double[]> law = pts -> lines(pts, sizes, threshold);
        List<double[]> reps = Law.replicates(engine, "proxylaw fit " + family + ": max-logit bootstrap", groups,
                new Law.Draw(false, true), o.bootstraps(), o.seed(), law);
        Interval[] iv = Law.summarise(lines(groups.stream().flatMap(List::stream).toList(), sizes, threshold), reps);
        List<LawsDocument.MaxLogit.Line> out = new ArrayList<>();
        for (int i = 0; i < lrs.length; i++) {
            MaxLogitExtrapolation.LrFit f = all.fits().get(i);
            Interval c = iv[2 * i + 1];
            Coefficient cross = Double.isFinite(f.nCross())
                    ? new Coefficient(f.nCross(), null, finite(c.lo()), finite(c.hi()), null)
                    : Coefficient.unidentified("the fitted line does not rise with N: it never reaches the threshold");
            out.add(new LawsDocument.MaxLogit.Line(f.lr(), f.points(), Coefficient.of(iv[2 * i]),
                    FamilyFit.fin(f.rSquared()), cross, f.alreadyCrossed()));
        }
        return new LawsDocument.MaxLogit("ln max_logit_block0 = c + s ln N at the fixed step, per LR", threshold, out,
                all.unfitLrs());
    }

    /**
     * {slope, N at the crossing} per LR, the same line as {@link MaxLogitExtrapolation#fitOne} in closed form (a
     * bootstrap fits it thousands of times); a line that never rises crosses at Double.MAX_VALUE (sorts last).
     */
    private static double[] lines(List<double[]> pts, int[] sizes, double threshold) {
        double[] out = new double[2 * sizes.length];
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            double[] x = new double[sizes[i]];
            double[] y = new double[sizes[i]];
            for (int j = 0; j < x.length; j++, at++) {
                x[j] = pts.get(at)[0];
                y[j] = pts.get(at)[1];
            }
            double[] f = Line.fit(x, y, x.length);
            out[2 * i] = f[1];
            out[2 * i + 1] = !Double.isFinite(f[1]) ? Double.NaN
                    : f[1] > 0 ? Math.exp((Math.log(threshold) - f[0]) / f[1]) : Double.MAX_VALUE;
        }
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) && v < Double.MAX_VALUE ? v : null;
    }
}
