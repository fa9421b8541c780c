package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Newton's method for warm-started loss-surface replicates: exact derivatives, the same minimum as BOBYQA. */
class SurfaceNewtonTest {
    static final double DELTA = LossSurfaceFit.DEFAULT_DELTA;

    /** ln N, ln D centred on their means, ln L, and the box of LossSurfaceFit for these points. */
    record Problem(double[] lnN, double[] lnD, double[] lnL, double n0, double d0, double[] lo, double[] hi) {
        static Problem of(List<LossSurfaceFit.Point> pts) {
            int m = pts.size();
            double[] lnN = new double[m];
            double[] lnD = new double[m];
            double[] lnL = new double[m];
            double n0 = 0;
            double d0 = 0;
            double minL = Double.POSITIVE_INFINITY;
            double meanL = 0;
            for (int i = 0; i < m; i++) {
                lnN[i] = Math.log(pts.get(i).n());
                lnD[i] = Math.log(pts.get(i).d());
                lnL[i] = Math.log(pts.get(i).loss());
                n0 += lnN[i] / m;
                d0 += lnD[i] / m;
                minL = Math.min(minL, pts.get(i).loss());
                meanL += pts.get(i).loss() / m;
            }
            for (int i = 0; i < m; i++) {
                lnN[i] -= n0;
                lnD[i] -= d0;
            }
            double lnMin = Math.log(minL);
            return new Problem(lnN, lnD, lnL, n0, d0, new double[] {lnMin - 12, lnMin - 15, 0, lnMin - 15, 0},
                new double[] {lnMin, Math.log(meanL) + 3, 3, Math.log(meanL) + 3, 3});
        }

        double[] centred(LossSurfaceFit.Coefficients c) {
            return new double[] {Math.log(c.e()), Math.log(c.a()) - c.alpha() * n0, c.alpha(), Math.log(c.b()) - c.beta() * d0,
                c.beta()};
        }

        double f(double[] x) {
            return LossSurfaceFit.huber(x, lnN, lnD, lnL, DELTA);
        }
    }

    @Test
    void gradientAndHessianMatchFiniteDifferences() {
        // 1% noise: some residuals beyond delta, so both branches of the Huber loss are exercised
        Problem p = Problem.of(LossSurfaceFitTest.grid(3, 1e-2));
        double[] x = p.centred(LossSurfaceFit.fitPoints(LossSurfaceFitTest.grid(3, 1e-2), DELTA));
        x[2] += 0.03;
        x[4] -= 0.02;
        double[] g = new double[5];
        double[][] h = new double[5][5];
        SurfaceNewton.derivatives(x, p.lnN(), p.lnD(), p.lnL(), DELTA, g, h);
        double eps = 1e-6;
        for (int a = 0; a < 5; a++) {
            double[] up = x.clone();
            double[] dn = x.clone();
            up[a] += eps;
            dn[a] -= eps;
            assertEquals((p.f(up) - p.f(dn)) / (2 * eps), g[a], 1e-6 * (1 + Math.abs(g[a])), "gradient " + a);
            double[] gu = new double[5];
            double[] gd = new double[5];
            SurfaceNewton.derivatives(up, p.lnN(), p.lnD(), p.lnL(), DELTA, gu, new double[5][5]);
            SurfaceNewton.derivatives(dn, p.lnN(), p.lnD(), p.lnL(), DELTA, gd, new double[5][5]);
            for (int b = 0; b < 5; b++) {
                assertEquals((gu[b] - gd[b]) / (2 * eps), h[b][a], 1e-5 * (1 + Math.abs(h[b][a])), "hessian " + b + "," + a);
            }
        }
    }

    @Test
    void reachesBobyqasMinimumFromANearbyStart() {
        List<LossSurfaceFit.Point> pts = LossSurfaceFitTest.grid(7, 2e-3);
        Problem p = Problem.of(pts);
        double[] best = p.centred(LossSurfaceFit.fitPoints(pts, DELTA));
        double[] start = best.clone();
        for (int j = 0; j < 5; j++) {
            start[j] += j % 2 == 0 ? 0.05 : -0.05;
        }
        double[] x = SurfaceNewton.minimise(start, p.lnN(), p.lnD(), p.lnL(), DELTA, p.lo(), p.hi());
        assertNotNull(x);
        for (int j = 0; j < 5; j++) {
            assertEquals(best[j], x[j], 1e-5, "coordinate " + j);
        }
        // at least as low as BOBYQA's, whose trust region stopped at 1e-8
        assertTrue(p.f(x) <= p.f(best) * (1 + 1e-9), p.f(x) + " vs " + p.f(best));
    }

    /** Without an N or D trend the minimum sits on the bound alpha = beta = 0: not Newton's to certify. */
    @Test
    void givesUpOnAMinimumOnTheBounds() {
        Random rng = new Random(3);
        List<LossSurfaceFit.Point> flat = new ArrayList<>();
        for (double n : LossSurfaceFitTest.NS) {
            for (double d : LossSurfaceFitTest.DS) {
                flat.add(new LossSurfaceFit.Point("N=" + n + ",D=" + d, n, d, 2.0 + 3e-4 * rng.nextGaussian()));
            }
        }
        Problem p = Problem.of(flat);
        double[] start = {Math.log(1.5), Math.log(0.25), 0.3, Math.log(0.25), 0.3};
        assertNull(SurfaceNewton.minimise(start, p.lnN(), p.lnD(), p.lnL(), DELTA, p.lo(), p.hi()));
    }
}
