package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wortsman et al.'s instability prediction (science.md section 4): per LR, fit
 * ln(max attention logit of block 0 at a fixed step) = c + s ln N across model sizes by OLS, and
 * extrapolate the N at which it reaches the threshold (1e4: above it divergence follows). Logits grow as
 * a power of N at a fixed LR, hence the log-log line; a slope <= 0 never reaches the threshold, so the
 * crossing is +infinity there rather than a negative-slope extrapolation backwards in N.
 */
public final class MaxLogitExtrapolation {
    /** The block-0 max attention logit above which Wortsman et al. see divergence. */
    public static final double DEFAULT_THRESHOLD = 1e4;

    private MaxLogitExtrapolation() {
    }

    /** One run's block-0 max attention logit at the fixed step, at model size N (non-embedding parameters). */
    public record Point(double lr, double n, double maxLogit) implements java.io.Serializable {
        public Point {
            if (!(lr > 0) || !(n > 0) || !(maxLogit > 0) || !Double.isFinite(maxLogit)) {
                throw new IllegalArgumentException("Cannot build max-logit point: lr=" + lr + ", N=" + n + ", logit="
                    + maxLogit + " must all be positive and finite (they are logged). Leave out runs that diverged "
                    + "before the fixed step: they have no logit there.");
            }
        }
    }

    /**
     * @param nCross         N where the fitted line reaches the threshold; +infinity when slope <= 0
     * @param alreadyCrossed some measured size is already at or above the threshold
     */
    public record LrFit(double lr, int points, double intercept, double slope, double rSquared, double nCross,
                        boolean alreadyCrossed) {
        /** Whether this LR is predicted to reach the threshold at or below size n. */
        public boolean crossesBy(double n) {
            return nCross <= n;
        }

        public double predict(double n) {
            return Math.exp(intercept + slope * Math.log(n));
        }
    }

    /** @param unfitLrs LRs measured at fewer than two distinct sizes: no slope, so no crossing, rather than a guess */
    public record Result(double threshold, List<LrFit> fits, List<Double> unfitLrs) {
        public Result {
            fits = List.copyOf(fits);
            unfitLrs = List.copyOf(unfitLrs);
        }

        /** The LRs predicted to reach the threshold at or below size n, ascending. */
        public List<Double> lrsCrossingBy(double n) {
            return fits.stream().filter(f -> f.crossesBy(n)).map(LrFit::lr).toList();
        }
    }

    /** One LR's line, or null when its points span fewer than two sizes. */
    public static LrFit fitOne(double lr, List<Point> pts, double threshold) {
        double[][] x = new double[pts.size()][];
        double[] y = new double[pts.size()];
        boolean crossed = false;
        for (int i = 0; i < y.length; i++) {
            x[i] = new double[] {Math.log(pts.get(i).n())};
            y[i] = Math.log(pts.get(i).maxLogit());
            crossed |= pts.get(i).maxLogit() >= threshold;
        }
        LinearFit f = LinearFit.ols(x, y);
        if (f == null) {
            return null;
        }
        double c = f.beta()[0];
        double s = f.beta()[1];
        double nCross = s > 0 ? Math.exp((Math.log(threshold) - c) / s) : Double.POSITIVE_INFINITY;
        return new LrFit(lr, y.length, c, s, f.rSquared(), nCross, crossed);
    }

    public static Result fit(List<Point> pts, double threshold) {
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("Cannot extrapolate max logits: threshold=" + threshold
                + " must be positive (it is logged). Use " + DEFAULT_THRESHOLD + ".");
        }
        Map<Double, List<Point>> byLr = new TreeMap<>();
        for (Point p : pts) {
            byLr.computeIfAbsent(p.lr(), k -> new ArrayList<>()).add(p);
        }
        List<LrFit> fits = new ArrayList<>();
        List<Double> unfit = new ArrayList<>();
        byLr.forEach((lr, group) -> {
            LrFit f = fitOne(lr, group, threshold);
            if (f == null) {
                unfit.add(lr);
            } else {
                fits.add(f);
            }
        });
        return new Result(threshold, fits, unfit);
    }
}
