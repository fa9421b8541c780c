package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.exception.MathIllegalStateException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * The loss surface L(N, D) = E + A / N^alpha + B / D^beta fitted Chinchilla-style (Hoffmann et al. 2022,
 * approach 3) to per-cell best losses: minimise the Huber loss of the log-space residuals
 * ln L_pred - ln L, with ln L_pred = LSE(ln A - alpha ln N, ln B - beta ln D, ln E), from a small grid of
 * starts, keeping the best. Huber in log space so that one cell whose best run was still bad (an LR
 * ladder that missed the basin) pulls the fit linearly, not quadratically.
 *
 * <p>Each start: BOBYQA, not Levenberg-Marquardt (LM needs a sum of squares and Huber is not one), until
 * it has found its basin, then Newton's method to the bottom ({@link #descend}). N and D enter
 * centred on their geometric means, so the free prefactors are the reducible losses at the centre of
 * the grid (order 0.1..1) rather than ln A ~ 6 tied to alpha by ln A - alpha ln N; the starts then mean
 * the same thing on any grid and the optimiser is not fighting that correlation.
 *
 * <p>Bootstrap replicates start from the all-data optimum alone when every start of the all-data fit agreed
 * on it ({@link PointFit#warmStart()}): Newton's method from there ({@link SurfaceNewton}), or BOBYQA from
 * there where Newton cannot certify an interior minimum. On the Chinchilla grid, the published Step Law
 * cells and synthetic sweeps the 95% intervals come out the same as with the full grid of starts to
 * within 3e-8 (relative; 2e-6 on the published cells, whose surface is loosely pinned), at a small
 * fraction of the cost.
 */
public final class LossSurfaceFit {
    /** Hoffmann et al.'s Huber threshold on log-loss residuals. */
    public static final double DEFAULT_DELTA = 1e-3;

    private static final double[] EXPONENT_STARTS = {0.15, 0.35, 0.7};
    /** E as a fraction of the lowest loss on the grid. */
    private static final double[] FLOOR_STARTS = {0.3, 0.6, 0.9};
    private static final double MAX_EXPONENT = 3;
    /** How far apart two starts' optima may lie and still be one optimum (see {@link #agree}). */
    private static final double AGREE = 1e-3;
    /** BOBYQA's final trust-region radius: where a search hands over to Newton, and where it stops without. */
    private static final double COARSE = 1e-3;
    private static final double FINE = 1e-8;

    private LossSurfaceFit() {
    }

    /** One cell's best loss at scale (N, D). */
    public record Point(String cell, double n, double d, double loss) implements java.io.Serializable {
        public Point {
            if (!(n > 0) || !(d > 0) || !(loss > 0) || !Double.isFinite(loss)) {
                throw new IllegalArgumentException("Cannot build loss-surface point for cell " + cell + ": N=" + n
                    + ", D=" + d + ", loss=" + loss + " must all be positive and finite (they are logged). "
                    + "Leave all-diverged cells out.");
            }
        }
    }

    /** E, A, alpha, B, beta in natural units; NaN fields mark a degenerate bootstrap replicate. */
    public record Coefficients(double e, double a, double alpha, double b, double beta) implements java.io.Serializable {
        public double[] toArray() {
            return new double[] {e, a, alpha, b, beta};
        }

        static final Coefficients DEGENERATE = new Coefficients(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

        public double predict(double n, double d) {
            return e + a / Math.pow(n, alpha) + b / Math.pow(d, beta);
        }

        public boolean finite() {
            return Double.isFinite(e) && Double.isFinite(a) && Double.isFinite(alpha) && Double.isFinite(b)
                && Double.isFinite(beta);
        }
    }

    /**
     * @param huber          the objective at the all-data optimum (sum of Huber losses)
     * @param logRms         root mean square of ln L_pred - ln L over the cells at the all-data optimum
     * @param replicatesUsed replicates that were not degenerate (a resample with fewer than three N or D)
     */
    public record Result(int cells, Coefficients point, Interval e, Interval a, Interval alpha, Interval b,
                         Interval beta, double huber, double logRms, int replicates, int replicatesUsed) {
        @Override
        public String toString() {
            return String.format("Loss surface L = E + A/N^alpha + B/D^beta: %d cells, log rms %.2e, %d/%d replicates%n"
                    + "    E     %s%n    A     %s%n    alpha %s%n    B     %s%n    beta  %s",
                cells, logRms, replicatesUsed, replicates, e, a, alpha, b, beta);
        }
    }

    /**
     * Points from per-cell optima. All-diverged cells have no loss; edge cells are left out too: their best
     * run sits at the end of the LR ladder, so their loss is an upper bound, not the cell's best.
     */
    public static List<Point> fromOptima(List<CellOptimum> optima) {
        List<Point> out = new ArrayList<>();
        for (CellOptimum c : optima) {
            if (!c.allDiverged() && !c.edge()) {
                out.add(new Point(c.cell(), c.n(), c.d(), c.best().loss()));
            }
        }
        return out;
    }

    /**
     * The all-data fit and whether its optimum is unique: every start that reached the best objective found
     * the same coefficients. A surface the data do not identify (no N or D trend: E, A and B then trade off
     * freely) reaches one objective at many points, and {@link #warmStart()} is null there.
     */
    public record PointFit(Coefficients coefficients, boolean unique) implements java.io.Serializable {
        /**
         * Where bootstrap replicates start: the all-data optimum when unique (a resample moves the optimum a
         * little, and one local search from it lands where the multi-start lands, at a small fraction of the cost);
         * null otherwise, so that replicates keep every start and their spread shows the unidentified direction.
         */
        public Coefficients warmStart() {
            return unique && coefficients.finite() ? coefficients : null;
        }
    }

    /** The multi-start fit, or {@link Coefficients#DEGENERATE} when the points span fewer than three N or three D. */
    public static Coefficients fitPoints(List<Point> pts, double delta) {
        return fitChecked(pts, delta).coefficients();
    }

    /** One local fit of a sample from {@code warm} (a replicate's fit), or from the grid of starts when null. */
    public static Coefficients fitFrom(List<Point> pts, double delta, Coefficients warm) {
        return solve(pts, delta, warm).coefficients();
    }

    /** {@link #fitPoints} with the uniqueness check that decides how replicates start. */
    public static PointFit fitChecked(List<Point> pts, double delta) {
        return solve(pts, delta, null);
    }

    /** From {@code warm} alone (natural units) when given, else from the grid of starts. */
    private static PointFit solve(List<Point> pts, double delta, Coefficients warm) {
        // three values per axis: two would leave E and the exponent of that axis unidentified
        if (distinct(pts, true) < 3 || distinct(pts, false) < 3) {
            return new PointFit(Coefficients.DEGENERATE, false);
        }
        int m = pts.size();
        double[] lnN = new double[m];
        double[] lnD = new double[m];
        double[] lnL = new double[m];
        double n0 = 0;
        double d0 = 0;
        double minL = Double.POSITIVE_INFINITY;
        double meanL = 0;
        for (int i = 0; i < m; i++) {
            Point p = pts.get(i);
            lnN[i] = Math.log(p.n());
            lnD[i] = Math.log(p.d());
            lnL[i] = Math.log(p.loss());
            n0 += lnN[i] / m;
            d0 += lnD[i] / m;
            minL = Math.min(minL, p.loss());
            meanL += p.loss() / m;
        }
        for (int i = 0; i < m; i++) {
            lnN[i] -= n0;
            lnD[i] -= d0;
        }
        // x = {ln E, ln A', alpha, ln B', beta} with A' = A e^(-alpha n0): the reducible N-part at the centre
        double lnMin = Math.log(minL);
        double[] lo = {lnMin - 12, lnMin - 15, 0, lnMin - 15, 0};
        double[] hi = {lnMin, Math.log(meanL) + 3, MAX_EXPONENT, Math.log(meanL) + 3, MAX_EXPONENT};
        ObjectiveFunction objective = new ObjectiveFunction(x -> huber(x, lnN, lnD, lnL, delta));
        List<double[]> starts = new ArrayList<>();
        if (warm != null) {
            // the same surface in this sample's centring; Newton first, BOBYQA from there if it cannot finish
            double[] x0 = {Math.log(warm.e()), Math.log(warm.a()) - warm.alpha() * n0, warm.alpha(),
                Math.log(warm.b()) - warm.beta() * d0, warm.beta()};
            double[] x = SurfaceNewton.minimise(x0, lnN, lnD, lnL, delta, lo, hi);
            if (x != null) {
                return new PointFit(natural(x, n0, d0), false);
            }
            starts.add(x0);
        } else {
            for (double fe : FLOOR_STARTS) {
                // at the centre the two reducible terms share what the floor leaves of the mean loss
                double reducible = Math.log(Math.max(meanL - fe * minL, 1e-3 * minL) / 2);
                for (double alpha : EXPONENT_STARTS) {
                    for (double beta : EXPONENT_STARTS) {
                        starts.add(new double[] {Math.log(fe * minL), reducible, alpha, reducible, beta});
                    }
                }
            }
        }
        List<PointValuePair> found = new ArrayList<>();
        PointValuePair best = null;
        for (double[] x0 : starts) {
            PointValuePair r = warm != null ? optimise(objective, x0, lo, hi, FINE)
                : descend(objective, x0, lnN, lnD, lnL, delta, lo, hi);
            if (r != null) {
                found.add(r);
                if (best == null || r.getValue() < best.getValue()) {
                    best = r;
                }
            }
        }
        if (best == null) {
            // also when BOBYQA from the warm start ran out of evaluations, without going on to the grid: on the
            // published Step Law cells 41 of 200 resamples do, and the grid failed on every one of them too
            // (every start out of evaluations, about 3 s each): the resample pins no optimum
            return new PointFit(Coefficients.DEGENERATE, false);
        }
        return new PointFit(natural(best.getPoint(), n0, d0), warm == null && agree(found, best));
    }

    private static Coefficients natural(double[] x, double n0, double d0) {
        return new Coefficients(Math.exp(x[0]), Math.exp(x[1] + x[2] * n0), x[2], Math.exp(x[3] + x[4] * d0), x[4]);
    }

    /**
     * Whether every start that ended within 1e-6 (relative) of the best objective ended at the best point,
     * within 1e-3 in each coordinate (log units for the prefactors, absolute for the exponents). An
     * identified surface gives agreement to about 1e-5; an unidentified one scatters by order 1.
     */
    private static boolean agree(List<PointValuePair> found, PointValuePair best) {
        double tie = best.getValue() + 1e-6 * Math.abs(best.getValue()) + 1e-15;
        for (PointValuePair r : found) {
            if (r.getValue() <= tie) {
                for (int j = 0; j < r.getPoint().length; j++) {
                    if (!(Math.abs(r.getPoint()[j] - best.getPoint()[j]) <= AGREE)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /**
     * One start's local search: BOBYQA until its trust region is down to {@link #COARSE}, which finds the
     * basin, then Newton's method to the bottom of it; BOBYQA on to {@link #FINE} where Newton cannot certify
     * an interior minimum (an optimum on a bound). Newton stops at steps below 1e-8, so its minimum is
     * BOBYQA's to its own tolerance (same coefficients to 6 digits and the same uniqueness verdict on the
     * Chinchilla grid, the published Step Law cells and synthetic sweeps), at a third of the evaluations:
     * most of BOBYQA's went into shrinking the trust region from 1e-3 to 1e-8.
     */
    private static PointValuePair descend(ObjectiveFunction objective, double[] x0, double[] lnN, double[] lnD,
                                          double[] lnL, double delta, double[] lo, double[] hi) {
        PointValuePair coarse = optimise(objective, x0, lo, hi, COARSE);
        if (coarse == null) {
            return null;
        }
        double[] x = SurfaceNewton.minimise(coarse.getPoint(), lnN, lnD, lnL, delta, lo, hi);
        if (x != null) {
            return new PointValuePair(x, huber(x, lnN, lnD, lnL, delta));
        }
        return optimise(objective, coarse.getPoint(), lo, hi, FINE);
    }

    private static PointValuePair optimise(ObjectiveFunction objective, double[] x0, double[] lo, double[] hi, double stop) {
        for (int j = 0; j < x0.length; j++) {
            x0[j] = Math.max(lo[j], Math.min(hi[j], x0[j]));
        }
        try {
            // 2n+1 interpolation points, BOBYQA's recommended count; radius 0.1 in log units / exponent units
            BOBYQAOptimizer opt = new BOBYQAOptimizer(2 * x0.length + 1, 0.1, stop);
            return opt.optimize(new MaxEval(20_000), objective, GoalType.MINIMIZE, new InitialGuess(x0),
                new SimpleBounds(lo, hi));
        } catch (MathIllegalStateException e) {
            // too many evaluations or a degenerate interpolation set: this start is dropped, the others stand
            return null;
        }
    }

    static double huber(double[] x, double[] lnN, double[] lnD, double[] lnL, double delta) {
        double sum = 0;
        for (int i = 0; i < lnL.length; i++) {
            double r = logPredict(x, lnN[i], lnD[i]) - lnL[i];
            double abs = Math.abs(r);
            sum += abs <= delta ? 0.5 * r * r : delta * (abs - 0.5 * delta);
        }
        return sum;
    }

    /** ln(E + A' e^(-alpha u) + B' e^(-beta v)) by log-sum-exp, so large exponents do not overflow. */
    private static double logPredict(double[] x, double u, double v) {
        double t0 = x[0];
        double t1 = x[1] - x[2] * u;
        double t2 = x[3] - x[4] * v;
        double max = Math.max(t0, Math.max(t1, t2));
        return max + Math.log(Math.exp(t0 - max) + Math.exp(t1 - max) + Math.exp(t2 - max));
    }

    private static long distinct(List<Point> pts, boolean n) {
        return pts.stream().mapToDouble(p -> n ? p.n() : p.d()).distinct().count();
    }

    /** One bootstrap replicate over cells from the grid of starts (see the warm-started overload). */
    public static Coefficients replicate(List<Point> pts, double delta, long seed, int replicate) {
        return replicate(pts, delta, seed, replicate, null);
    }

    /**
     * One bootstrap replicate over cells: a pure function of its arguments, so it can run as a Spark task.
     * {@code warm} is {@link PointFit#warmStart()} of the all-data fit: one local search from there, or the
     * grid of starts when null.
     */
    public static Coefficients replicate(List<Point> pts, double delta, long seed, int replicate, Coefficients warm) {
        List<Point> sample = new ArrayList<>(pts.size());
        for (int i : Bootstrap.resample(pts.size(), seed, replicate)) {
            sample.add(pts.get(i));
        }
        return solve(sample, delta, warm).coefficients();
    }

    public static Result fit(List<Point> pts, double delta, int replicates, long seed) {
        if (!(delta > 0)) {
            throw new IllegalArgumentException("Cannot fit the loss surface: Huber delta=" + delta
                + " must be positive. Use " + DEFAULT_DELTA + " (Hoffmann et al.).");
        }
        PointFit all = fitChecked(pts, delta);
        Coefficients point = all.coefficients();
        if (!point.finite()) {
            throw new IllegalArgumentException("Cannot fit the loss surface: the " + pts.size() + " cells span "
                + distinct(pts, true) + " N and " + distinct(pts, false) + " D; E, A, alpha, B, beta need at least "
                + "three of each. Add cells at other scales.");
        }
        List<Coefficients> reps = new ArrayList<>(replicates);
        for (int i = 0; i < replicates; i++) {
            reps.add(replicate(pts, delta, seed, i, all.warmStart()));
        }
        return summarise(pts, delta, point, reps);
    }

    /** Joins replicates computed anywhere (here, or as Spark tasks) into the reported intervals. */
    public static Result summarise(List<Point> pts, double delta, Coefficients point, List<Coefficients> reps) {
        int r = reps.size();
        double[][] cols = new double[5][r];
        int used = 0;
        for (int i = 0; i < r; i++) {
            Coefficients c = reps.get(i);
            cols[0][i] = c.e();
            cols[1][i] = c.a();
            cols[2][i] = c.alpha();
            cols[3][i] = c.b();
            cols[4][i] = c.beta();
            used += c.finite() ? 1 : 0;
        }
        double huber = 0;
        double ss = 0;
        for (Point p : pts) {
            double res = Math.log(point.predict(p.n(), p.d())) - Math.log(p.loss());
            double abs = Math.abs(res);
            huber += abs <= delta ? 0.5 * res * res : delta * (abs - 0.5 * delta);
            ss += res * res;
        }
        return new Result(pts.size(), point, Bootstrap.interval(point.e(), cols[0]), Bootstrap.interval(point.a(), cols[1]),
            Bootstrap.interval(point.alpha(), cols[2]), Bootstrap.interval(point.b(), cols[3]),
            Bootstrap.interval(point.beta(), cols[4]), huber, Math.sqrt(ss / pts.size()), r, used);
    }
}
