package dev.proxylaw.analysis.fit;

/**
 * Newton's method on {@link LossSurfaceFit#huber}, for bootstrap replicates that start at the all-data
 * optimum. From there a resample's minimum is a few Newton steps away, while BOBYQA spends about 250
 * evaluations shrinking its trust region to 1e-8, and most of a replicate's time went to BOBYQA's own
 * bookkeeping, not to the objective. The gradient and Hessian are exact (the model is a log-sum-exp of
 * terms linear in x, the Huber loss piecewise quadratic); a step that does not decrease the objective
 * enough is halved, and the Hessian is damped where it is not positive definite.
 *
 * <p>Returns null, and the caller falls back to BOBYQA, whenever it cannot certify an interior minimum: a
 * step that would leave the bounds, no convergence within {@link #MAX_ITERATIONS}, or a final Hessian that
 * is not positive definite.
 */
final class SurfaceNewton {
    static final int MAX_ITERATIONS = 60;
    /**
     * Converged when the undamped Newton step is below this in every coordinate: BOBYQA's own final trust
     * radius. Not lower: the Hessian's conditioning leaves steps of 1e-10..1e-9 of rounding noise at the
     * minimum, and at 1e-10 one replicate in seven spun to {@link #MAX_ITERATIONS} and went to BOBYQA.
     */
    static final double STEP_TOLERANCE = 1e-8;
    private static final int N = 5;

    private SurfaceNewton() {
    }

    /** The minimum near {@code x0} in the centred coordinates of {@link LossSurfaceFit}, or null. */
    static double[] minimise(double[] x0, double[] lnN, double[] lnD, double[] lnL, double delta, double[] lo, double[] hi) {
        double[] x = x0.clone();
        if (!inside(x, lo, hi)) {
            return null;
        }
        double f = LossSurfaceFit.huber(x, lnN, lnD, lnL, delta);
        double[] g = new double[N];
        double[][] h = new double[N][N];
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            derivatives(x, lnN, lnD, lnL, delta, g, h);
            double[] p = solve(h, 0, g);
            boolean damped = p == null;
            double mu = 1e-10 * (1 + maxDiagonal(h));
            for (int k = 0; p == null && k < 30; k++, mu *= 10) {
                p = solve(h, mu, g);
            }
            if (p == null) {
                return null;
            }
            if (!damped && maxAbs(p) < STEP_TOLERANCE) {
                return x;
            }
            double slope = 0;
            for (int j = 0; j < N; j++) {
                slope += g[j] * p[j];
            }
            double t = 1;
            double[] y = new double[N];
            boolean accepted = false;
            for (int k = 0; k < 50 && !accepted; k++, t /= 2) {
                for (int j = 0; j < N; j++) {
                    y[j] = x[j] + t * p[j];
                }
                if (!inside(y, lo, hi)) {
                    continue;
                }
                double fy = LossSurfaceFit.huber(y, lnN, lnD, lnL, delta);
                // Armijo; the second test accepts steps at the resolution of double near the minimum
                if (fy <= f + 1e-4 * t * slope || (fy <= f && t * maxAbs(p) < 1e3 * STEP_TOLERANCE)) {
                    accepted = true;
                    f = fy;
                }
            }
            if (!accepted) {
                return null;
            }
            System.arraycopy(y, 0, x, 0, N);
        }
        return null;
    }

    /**
     * Gradient and Hessian of sum_i rho(r_i), r_i = LSE(t_0, t_1i, t_2i) - ln L_i with t_0 = x0,
     * t_1 = x1 - x2 u, t_2 = x3 - x4 v; p the softmax of t, J_k the gradient of t_k:
     * grad r = sum_k p_k J_k = (p0, p1, -u p1, p2, -v p2), hess r = S - grad r grad r^T with
     * S = sum_k p_k J_k J_k^T (block diagonal: p0; p1 [[1, -u], [-u, u^2]]; p2 [[1, -v], [-v, v^2]]), so
     * hess F = sum_i rho''(r_i) grad r_i grad r_i^T + rho'(r_i) hess r_i
     *        = sum_i (rho'' - rho') grad r_i grad r_i^T + rho' S_i.
     */
    static void derivatives(double[] x, double[] lnN, double[] lnD, double[] lnL, double delta, double[] g, double[][] h) {
        java.util.Arrays.fill(g, 0);
        for (double[] row : h) {
            java.util.Arrays.fill(row, 0);
        }
        double[] gr = new double[N];
        for (int i = 0; i < lnL.length; i++) {
            double u = lnN[i];
            double v = lnD[i];
            double t0 = x[0];
            double t1 = x[1] - x[2] * u;
            double t2 = x[3] - x[4] * v;
            double max = Math.max(t0, Math.max(t1, t2));
            double e0 = Math.exp(t0 - max);
            double e1 = Math.exp(t1 - max);
            double e2 = Math.exp(t2 - max);
            double sum = e0 + e1 + e2;
            double r = max + Math.log(sum) - lnL[i];
            double p0 = e0 / sum;
            double p1 = e1 / sum;
            double p2 = e2 / sum;
            gr[0] = p0;
            gr[1] = p1;
            gr[2] = -u * p1;
            gr[3] = p2;
            gr[4] = -v * p2;
            double d1 = Math.max(-delta, Math.min(delta, r));
            double w = (Math.abs(r) <= delta ? 1 : 0) - d1;
            for (int a = 0; a < N; a++) {
                g[a] += d1 * gr[a];
                for (int b = 0; b <= a; b++) {
                    h[a][b] += w * gr[a] * gr[b];
                }
            }
            h[0][0] += d1 * p0;
            h[1][1] += d1 * p1;
            h[2][1] -= d1 * p1 * u;
            h[2][2] += d1 * p1 * u * u;
            h[3][3] += d1 * p2;
            h[4][3] -= d1 * p2 * v;
            h[4][4] += d1 * p2 * v * v;
        }
        for (int a = 0; a < N; a++) {
            for (int b = a + 1; b < N; b++) {
                h[a][b] = h[b][a];
            }
        }
    }

    /** The solution p of (H + mu I) p = -g by Cholesky, or null when H + mu I is not positive definite. */
    static double[] solve(double[][] h, double mu, double[] g) {
        double[][] l = new double[N][N];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j <= i; j++) {
                double s = h[i][j] + (i == j ? mu : 0);
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        return null;
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        double[] y = new double[N];
        for (int i = 0; i < N; i++) {
            double s = -g[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * y[k];
            }
            y[i] = s / l[i][i];
        }
        double[] p = new double[N];
        for (int i = N - 1; i >= 0; i--) {
            double s = y[i];
            for (int k = i + 1; k < N; k++) {
                s -= l[k][i] * p[k];
            }
            p[i] = s / l[i][i];
        }
        return p;
    }

    private static boolean inside(double[] x, double[] lo, double[] hi) {
        for (int j = 0; j < N; j++) {
            if (!(x[j] >= lo[j] && x[j] <= hi[j])) {
                return false;
            }
        }
        return true;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    private static double maxDiagonal(double[][] h) {
        double m = 0;
        for (int j = 0; j < N; j++) {
            m = Math.max(m, Math.abs(h[j][j]));
        }
        return m;
    }
}
