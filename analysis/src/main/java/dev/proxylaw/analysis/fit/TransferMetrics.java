package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresBuilder;
import org.apache.commons.math3.fitting.leastsquares.LeastSquaresOptimizer;
import org.apache.commons.math3.fitting.leastsquares.LevenbergMarquardtOptimizer;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.apache.commons.math3.util.Pair;

/**
 * The three transfer metrics of science.md section 3 (Kalra and Barkeshli 2026, our operational form),
 * computed from LR curves per (parameterization, scale). The scale axis is generic: width d for muP vs
 * SP, depth L for CompleteP's alpha; nothing here assumes which.
 * <ol>
 * <li>fit quality: OLS of ln eta_opt on ln scale per parameterization (slope ~ 0 when the LR transfers);</li>
 * <li>extrapolation robustness: fit on every scale but the largest, predict its eta, and read the loss
 *     cost L(eta_pred) - L_best off the measured curve at that scale;</li>
 * <li>asymptotic penalty: fit L_opt(s) = L_inf + A s^-alpha per parameterization; the penalty is L_inf
 *     minus the best L_inf over parameterizations.</li>
 * </ol>
 * Curves whose best run sits at an end of the LR ladder (edge) are left out of the fits: their eta_opt
 * and loss are grid ends, not measurements. They are listed so the caller can extend the ladder.
 */
public final class TransferMetrics {
    private static final double[] ALPHA_STARTS = {0.1, 0.25, 0.5, 1, 2};

    private TransferMetrics() {
    }

    /** One LR curve: lr -> smoothed final loss, +infinity for a diverged run. */
    public record Curve(String parameterization, double scale, NavigableMap<Double, Double> lossByLr) {
        public Curve {
            if (!(scale > 0)) {
                throw new IllegalArgumentException("Cannot build LR curve for " + parameterization + ": scale=" + scale
                    + " must be positive (it is logged). Pass the width d or the depth L.");
            }
            TreeMap<Double, Double> copy = new TreeMap<>();
            boolean anyFinite = false;
            for (Map.Entry<Double, Double> e : lossByLr.entrySet()) {
                double lr = e.getKey();
                double loss = e.getValue();
                if (!(lr > 0) || Double.isNaN(loss) || loss == Double.NEGATIVE_INFINITY) {
                    throw new IllegalArgumentException("Cannot build LR curve for " + parameterization + " at scale "
                        + scale + ": lr=" + lr + " loss=" + loss + ". LRs must be positive and a diverged run's loss "
                        + "+Infinity (use Curve.of to convert runs).");
                }
                anyFinite |= Double.isFinite(loss);
                copy.put(lr, loss);
            }
            if (!anyFinite) {
                throw new IllegalArgumentException("Cannot build LR curve for " + parameterization + " at scale " + scale
                    + ": no run completed, so it has no optimum. Lower the LR ladder, or leave this scale out.");
            }
            lossByLr = Collections.unmodifiableNavigableMap(copy);
        }

        /** From runs at one (parameterization, scale): diverged runs count +infinity, FAILED ones are left out, repeats keep the lowest. */
        public static Curve of(String parameterization, double scale, List<RunPoint> runs) {
            TreeMap<Double, Double> m = new TreeMap<>();
            for (RunPoint r : runs) {
                if (r.status() != RunStatus.FAILED) {
                    m.merge(r.lr(), r.rankLoss(), Math::min);
                }
            }
            return new Curve(parameterization, scale, m);
        }

        public double bestLoss() {
            return lossByLr.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }
    }

    /**
     * A curve's optimum. etaOpt and lossOpt come from the parabola in ln lr through the best run and its
     * two neighbours when both are finite (refined), so neither is snapped to the ladder; otherwise they
     * are the best run's. bestLoss is the best measured loss.
     */
    public record Optimum(String parameterization, double scale, double etaOpt, double lossOpt, double bestLoss,
                          boolean edge, boolean refined) {
    }

    /** ln eta_opt = intercept + slope ln scale over the non-edge optima of one parameterization. */
    public record EtaFit(String parameterization, int points, double slope, double intercept, double residualRms,
                         double rSquared, List<Double> edgeScales) {
        public EtaFit {
            edgeScales = List.copyOf(edgeScales);
        }

        public double predict(double scale) {
            return Math.exp(intercept + slope * Math.log(scale));
        }
    }

    /**
     * Metric 2 at the largest scale. cost = lossAtPred - bestLoss (>= 0 by construction of the linear
     * reading); +infinity when the prediction lands next to a diverged run (divergedBracket).
     *
     * @param clamped etaPred fell outside the measured LRs and was read at the nearer end of the ladder
     */
    public record Extrapolation(String parameterization, double heldOutScale, EtaFit trainFit, double etaPred,
                                double etaOpt, double lossAtPred, double bestLoss, double cost, boolean clamped,
                                boolean divergedBracket) {
    }

    /** L_opt(s) = lInf + a s^-alpha; penalty = lInf - min over parameterizations; rms of the residuals in loss units. */
    public record Asymptote(String parameterization, int points, double lInf, double a, double alpha, double rms,
                            double penalty) {
    }

    /** Each list holds one entry per parameterization that had enough scales for that metric, in name order. */
    public record Result(List<Optimum> optima, List<EtaFit> etaFits, List<Extrapolation> extrapolations,
                         List<Asymptote> asymptotes) {
        public Result {
            optima = List.copyOf(optima);
            etaFits = List.copyOf(etaFits);
            extrapolations = List.copyOf(extrapolations);
            asymptotes = List.copyOf(asymptotes);
        }
    }

    /** The loss read at lr: see {@link #lossAt}. */
    public record Reading(double loss, boolean clamped, boolean divergedBracket) {
    }

    public static Optimum optimum(Curve c) {
        NavigableMap<Double, Double> m = c.lossByLr();
        double bestLr = Double.NaN;
        double best = Double.POSITIVE_INFINITY;
        for (Map.Entry<Double, Double> e : m.entrySet()) {
            if (e.getValue() < best) {
                best = e.getValue();
                bestLr = e.getKey();
            }
        }
        Double below = m.lowerKey(bestLr);
        Double above = m.higherKey(bestLr);
        boolean edge = below == null || above == null;
        if (!edge && Double.isFinite(m.get(below)) && Double.isFinite(m.get(above))) {
            double x0 = Math.log(below);
            double x1 = Math.log(bestLr);
            double x2 = Math.log(above);
            double x = CellOptimum.parabolaVertex(x0, m.get(below), x1, best, x2, m.get(above));
            if (Double.isFinite(x)) {
                double v = lagrange(x0, m.get(below), x1, best, x2, m.get(above), x);
                return new Optimum(c.parameterization(), c.scale(), Math.exp(x), v, best, false, true);
            }
        }
        return new Optimum(c.parameterization(), c.scale(), bestLr, best, best, edge, false);
    }

    /** The parabola through three points, evaluated at x. */
    private static double lagrange(double x0, double y0, double x1, double y1, double x2, double y2, double x) {
        return y0 * (x - x1) * (x - x2) / ((x0 - x1) * (x0 - x2)) + y1 * (x - x0) * (x - x2) / ((x1 - x0) * (x1 - x2))
            + y2 * (x - x0) * (x - x1) / ((x2 - x0) * (x2 - x1));
    }

    /**
     * The loss at lr read off the measured curve by linear interpolation in ln lr between the two measured
     * LRs around it: linear, not a fitted parabola, because it never reads below the measured losses (so a
     * cost is never negative) and needs no model of the curve's shape. Outside the measured range the
     * nearer end is read and {@code clamped} set. A diverged neighbour gives +infinity: where between the
     * two runs divergence starts is not measured, and a loss there would be invented.
     */
    public static Reading lossAt(Curve c, double lr) {
        NavigableMap<Double, Double> m = c.lossByLr();
        boolean clamped = lr < m.firstKey() || lr > m.lastKey();
        double x = Math.max(m.firstKey(), Math.min(m.lastKey(), lr));
        Map.Entry<Double, Double> lo = m.floorEntry(x);
        Map.Entry<Double, Double> hi = m.ceilingEntry(x);
        if (lo.getKey().equals(hi.getKey())) {
            return new Reading(lo.getValue(), clamped, !Double.isFinite(lo.getValue()));
        }
        if (!Double.isFinite(lo.getValue()) || !Double.isFinite(hi.getValue())) {
            return new Reading(Double.POSITIVE_INFINITY, clamped, true);
        }
        double t = (Math.log(x) - Math.log(lo.getKey())) / (Math.log(hi.getKey()) - Math.log(lo.getKey()));
        return new Reading(lo.getValue() + t * (hi.getValue() - lo.getValue()), clamped, false);
    }

    /** Metric 1 over one parameterization's optima; null when fewer than two non-edge scales remain. */
    public static EtaFit etaFit(String parameterization, List<Optimum> optima) {
        List<Optimum> used = new ArrayList<>();
        List<Double> edges = new ArrayList<>();
        for (Optimum o : optima) {
            if (o.edge()) {
                edges.add(o.scale());
            } else {
                used.add(o);
            }
        }
        double[][] x = new double[used.size()][];
        double[] y = new double[used.size()];
        for (int i = 0; i < y.length; i++) {
            x[i] = new double[] {Math.log(used.get(i).scale())};
            y[i] = Math.log(used.get(i).etaOpt());
        }
        LinearFit f = LinearFit.ols(x, y);
        if (f == null) {
            return null;
        }
        return new EtaFit(parameterization, y.length, f.beta()[1], f.beta()[0], f.residualRms(), f.rSquared(), edges);
    }

    /** Metric 2 for one parameterization's curves; null when the largest scale is an edge or fewer than two smaller scales fit. */
    public static Extrapolation extrapolate(String parameterization, List<Curve> curves) {
        Curve largest = curves.stream().max((a, b) -> Double.compare(a.scale(), b.scale())).orElse(null);
        if (largest == null) {
            return null;
        }
        Optimum atLargest = optimum(largest);
        List<Optimum> train = curves.stream().filter(c -> c.scale() < largest.scale()).map(TransferMetrics::optimum)
            .toList();
        EtaFit fit = etaFit(parameterization, train);
        if (fit == null || atLargest.edge()) {
            return null;
        }
        double etaPred = fit.predict(largest.scale());
        Reading r = lossAt(largest, etaPred);
        return new Extrapolation(parameterization, largest.scale(), fit, etaPred, atLargest.etaOpt(), r.loss(),
            atLargest.bestLoss(), r.loss() - atLargest.bestLoss(), r.clamped(), r.divergedBracket());
    }

    /**
     * Least-squares fit of L = lInf + a s^-alpha to (scale, loss) pairs; {NaN x4} when fewer than four
     * distinct scales (three points fit any three-parameter curve exactly, so the floor they give is not
     * tested by anything), when no start converges to alpha > 0, or when the floor is negative (a
     * cross-entropy cannot be). Returns {lInf, a, alpha, rms}.
     *
     * <p>For fixed alpha the model is linear in (lInf, a), so each start solves that exactly first and
     * Levenberg-Marquardt only refines: every start begins at the best curve of its alpha. The scale is
     * centred on its geometric mean so a, fitted there, is of the order of the loss gaps, not of s^alpha.
     */
    /** Distinct widths (or depths) the floor fit needs: one more than its three parameters. */
    public static final int MIN_FLOOR_SCALES = 4;

    public static double[] powerLawWithFloor(double[] scales, double[] losses) {
        double[] nan = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        if (java.util.Arrays.stream(scales).distinct().count() < MIN_FLOOR_SCALES) {
            return nan;
        }
        int m = scales.length;
        double s0 = 0;
        for (double s : scales) {
            s0 += Math.log(s) / m;
        }
        double[] u = new double[m];
        for (int i = 0; i < m; i++) {
            u[i] = Math.log(scales[i]) - s0;
        }
        double[] best = null;
        double bestSse = Double.POSITIVE_INFINITY;
        for (double alpha0 : ALPHA_STARTS) {
            double[] start = linearGivenAlpha(u, losses, alpha0);
            double[] p = refine(u, losses, new double[] {start[0], start[1], alpha0});
            if (p == null || !(p[2] > 0) || !Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
                continue;
            }
            double sse = sse(u, losses, p);
            if (sse < bestSse) {
                bestSse = sse;
                best = p;
            }
        }
        if (best == null) {
            return nan;
        }
        return new double[] {best[0], best[1] * Math.exp(best[2] * s0), best[2], Math.sqrt(bestSse / m)};
    }

    private static double[] linearGivenAlpha(double[] u, double[] y, double alpha) {
        int m = u.length;
        double mz = 0;
        double my = 0;
        for (int i = 0; i < m; i++) {
            mz += Math.exp(-alpha * u[i]) / m;
            my += y[i] / m;
        }
        double szz = 0;
        double szy = 0;
        for (int i = 0; i < m; i++) {
            double z = Math.exp(-alpha * u[i]) - mz;
            szz += z * z;
            szy += z * (y[i] - my);
        }
        double a = szz > 0 ? szy / szz : 0;
        return new double[] {my - a * mz, a};
    }

    private static double[] refine(double[] u, double[] y, double[] start) {
        int m = u.length;
        try {
            LeastSquaresOptimizer.Optimum o = new LevenbergMarquardtOptimizer().optimize(new LeastSquaresBuilder()
                .start(start)
                .target(y)
                .model(p -> {
                    RealVector v = new ArrayRealVector(m);
                    RealMatrix j = new Array2DRowRealMatrix(m, 3);
                    for (int i = 0; i < m; i++) {
                        double z = Math.exp(-p.getEntry(2) * u[i]);
                        v.setEntry(i, p.getEntry(0) + p.getEntry(1) * z);
                        j.setEntry(i, 0, 1);
                        j.setEntry(i, 1, z);
                        j.setEntry(i, 2, -p.getEntry(1) * u[i] * z);
                    }
                    return new Pair<>(v, j);
                })
                .maxEvaluations(10_000)
                .maxIterations(10_000)
                .build());
            return o.getPoint().toArray();
        } catch (MathIllegalStateException | org.apache.commons.math3.linear.SingularMatrixException e) {
            // a start that runs away (alpha to 0 makes lInf and a collinear) is dropped; the others stand
            return null;
        }
    }

    private static double sse(double[] u, double[] y, double[] p) {
        double s = 0;
        for (int i = 0; i < u.length; i++) {
            double r = p[0] + p[1] * Math.exp(-p[2] * u[i]) - y[i];
            s += r * r;
        }
        return s;
    }

    /** All three metrics, per parameterization. Metric 3 uses each non-edge curve's lossOpt as L_opt(s). */
    public static Result of(List<Curve> curves) {
        Map<String, List<Curve>> byParam = new TreeMap<>();
        for (Curve c : curves) {
            byParam.computeIfAbsent(c.parameterization(), k -> new ArrayList<>()).add(c);
        }
        List<Optimum> optima = new ArrayList<>();
        List<EtaFit> fits = new ArrayList<>();
        List<Extrapolation> extrapolations = new ArrayList<>();
        List<double[]> floors = new ArrayList<>();
        List<String> floorParams = new ArrayList<>();
        List<Integer> floorPoints = new ArrayList<>();
        byParam.forEach((p, cs) -> {
            List<Optimum> os = new ArrayList<>();
            for (Curve c : cs) {
                if (os.stream().anyMatch(o -> o.scale() == c.scale())) {
                    throw new IllegalArgumentException("Cannot compute transfer metrics: " + p + " has two curves at scale "
                        + c.scale() + ". Merge repeats into one curve (Curve.of keeps the lowest loss per LR).");
                }
                os.add(optimum(c));
            }
            os.sort((a, b) -> Double.compare(a.scale(), b.scale()));
            optima.addAll(os);
            EtaFit f = etaFit(p, os);
            if (f != null) {
                fits.add(f);
            }
            Extrapolation x = extrapolate(p, cs);
            if (x != null) {
                extrapolations.add(x);
            }
            List<Optimum> inner = os.stream().filter(o -> !o.edge()).toList();
            double[] fl = powerLawWithFloor(inner.stream().mapToDouble(Optimum::scale).toArray(),
                inner.stream().mapToDouble(Optimum::lossOpt).toArray());
            if (Double.isFinite(fl[0]) && fl[0] >= 0) {
                floors.add(fl);
                floorParams.add(p);
                floorPoints.add(inner.size());
            }
        });
        double bestFloor = floors.stream().mapToDouble(f -> f[0]).min().orElse(Double.NaN);
        List<Asymptote> asymptotes = new ArrayList<>();
        for (int i = 0; i < floors.size(); i++) {
            double[] f = floors.get(i);
            asymptotes.add(new Asymptote(floorParams.get(i), floorPoints.get(i), f[0], f[1], f[2], f[3], f[0] - bestFloor));
        }
        return new Result(optima, fits, extrapolations, asymptotes);
    }
}
