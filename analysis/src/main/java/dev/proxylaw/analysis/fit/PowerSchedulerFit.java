package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Power scheduler law (science.md section 1, Shen et al. 2024): eta_opt = a * B * D^b with B in
 * SEQUENCES, fitted as ln(eta_opt / B) = ln a + b ln D from per-cell optima, per model size and pooled.
 * The law's claim is that (a, b) barely move with size; {@link Result#sizesAgree()} checks it by
 * requiring every pair of per-size 95% intervals (of ln a and of b) to overlap.
 */
public final class PowerSchedulerFit {
    private PowerSchedulerFit() {
    }

    /** One cell's optimum: size is the model-size key (e.g. "N=..."), B in sequences, D in tokens. */
    public record Point(String size, double d, double etaOpt, double batchSequences) {
        public Point {
            if (!(d > 0) || !(etaOpt > 0) || !(batchSequences > 0)) {
                throw new IllegalArgumentException("Cannot build Power-law point for size " + size + ": D=" + d
                    + ", eta_opt=" + etaOpt + ", B=" + batchSequences + " must all be positive (they are logged).");
            }
        }
    }

    /** ln a and b with bootstrap intervals; a = exp(lnA.point()). */
    public record SizeFit(String size, int points, Interval lnA, Interval b, LinearFit fit, int replicatesUsed) {
    }

    /**
     * @param unfitSizes sizes with fewer than two distinct D: b is not identified there, so they are
     *                   left out of the agreement check rather than guessed
     */
    public record Result(SizeFit pooled, List<SizeFit> bySize, List<String> unfitSizes, boolean sizesAgree) {
        public Result {
            bySize = List.copyOf(bySize);
            unfitSizes = List.copyOf(unfitSizes);
        }
    }

    /**
     * Points from per-cell optima, one per (size, D, batch) cell. All-diverged and edge cells are left out:
     * their LR is a grid end, not an optimum, and would drag b toward the ladder's range.
     */
    public static List<Point> fromOptima(List<CellOptimum> optima, int seqLen) {
        List<Point> out = new ArrayList<>();
        for (CellOptimum c : optima) {
            if (!c.allDiverged() && !c.edge()) {
                out.add(new Point("N=" + c.n(), c.d(), c.lrOpt(), c.batchTokensOpt() / seqLen));
            }
        }
        return out;
    }

    /** OLS of ln(eta/B) on ln D; null when the points span a single D. */
    public static LinearFit ols(List<Point> pts) {
        double[][] x = new double[pts.size()][];
        double[] y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            Point p = pts.get(i);
            x[i] = new double[] {Math.log(p.d())};
            y[i] = Math.log(p.etaOpt() / p.batchSequences());
        }
        return LinearFit.ols(x, y);
    }

    /** One bootstrap replicate {ln a, b} (NaNs if degenerate): a pure function, runnable as a Spark task. */
    public static double[] replicate(List<Point> pts, long seed, int replicate) {
        List<Point> sample = new ArrayList<>(pts.size());
        for (int i : Bootstrap.resample(pts.size(), seed, replicate)) {
            sample.add(pts.get(i));
        }
        LinearFit f = ols(sample);
        return f == null ? new double[] {Double.NaN, Double.NaN} : f.beta().clone();
    }

    public static Result fit(List<Point> pts, int replicates, long seed) {
        SizeFit pooled = fitGroup("pooled", pts, replicates, seed);
        if (pooled == null) {
            throw new IllegalArgumentException("Cannot fit the Power scheduler law: the " + pts.size()
                + " cell optima span fewer than two D. Sweep at least two token budgets.");
        }
        Map<String, List<Point>> bySize = new TreeMap<>();
        for (Point p : pts) {
            bySize.computeIfAbsent(p.size(), k -> new ArrayList<>()).add(p);
        }
        List<SizeFit> fits = new ArrayList<>();
        List<String> unfit = new ArrayList<>();
        bySize.forEach((size, group) -> {
            SizeFit f = fitGroup(size, group, replicates, seed);
            if (f == null) {
                unfit.add(size);
            } else {
                fits.add(f);
            }
        });
        boolean agree = true;
        for (int i = 0; i < fits.size(); i++) {
            for (int j = i + 1; j < fits.size(); j++) {
                agree &= fits.get(i).b().overlaps(fits.get(j).b()) && fits.get(i).lnA().overlaps(fits.get(j).lnA());
            }
        }
        return new Result(pooled, fits, unfit, agree);
    }

    private static SizeFit fitGroup(String size, List<Point> group, int replicates, long seed) {
        LinearFit f = ols(group);
        if (f == null) {
            return null;
        }
        double[] lnA = new double[replicates];
        double[] b = new double[replicates];
        int used = 0;
        for (int i = 0; i < replicates; i++) {
            double[] r = replicate(group, seed, i);
            lnA[i] = r[0];
            b[i] = r[1];
            used += Double.isFinite(r[1]) ? 1 : 0;
        }
        return new SizeFit(size, group.size(), Bootstrap.interval(f.beta()[0], lnA), Bootstrap.interval(f.beta()[1], b),
            f, used);
    }
}
