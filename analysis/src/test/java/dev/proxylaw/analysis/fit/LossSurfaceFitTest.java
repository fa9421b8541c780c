package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Cell losses generated from Hoffmann et al.'s published surface with multiplicative noise, fitted back. */
class LossSurfaceFitTest {
    // Chinchilla's fitted surface: the truth the fit must recover
    static final double E = 1.69;
    static final double A = 406.4;
    static final double ALPHA = 0.34;
    static final double B = 410.7;
    static final double BETA = 0.28;
    static final double[] NS = {1e7, 3e7, 1e8, 3e8, 1e9, 3e9};
    static final double[] DS = {1e8, 4e8, 1.6e9, 6.4e9, 2.56e10, 1.024e11};

    static double truth(double n, double d) {
        return E + A / Math.pow(n, ALPHA) + B / Math.pow(d, BETA);
    }

    /** One point per (N, D) cell, loss * (1 + relSd z): the spread seed-to-seed reruns show. */
    static List<LossSurfaceFit.Point> grid(long seed, double relSd) {
        Random rng = new Random(seed);
        List<LossSurfaceFit.Point> out = new ArrayList<>();
        for (double n : NS) {
            for (double d : DS) {
                out.add(new LossSurfaceFit.Point("N=" + n + ",D=" + d, n, d, truth(n, d) * (1 + relSd * rng.nextGaussian())));
            }
        }
        return out;
    }

    @Test
    void recoversTheNoiselessSurfaceClosely() {
        LossSurfaceFit.Coefficients c = LossSurfaceFit.fitPoints(grid(1, 0), LossSurfaceFit.DEFAULT_DELTA);
        System.out.println("Loss surface, noiseless: " + c);
        // without noise the optimum is the truth: only the optimiser's tolerance is left
        assertEquals(E, c.e(), 0.01);
        assertEquals(ALPHA, c.alpha(), 0.005);
        assertEquals(BETA, c.beta(), 0.005);
        assertEquals(1, c.a() / A, 0.05);
        assertEquals(1, c.b() / B, 0.05);
    }

    @Test
    void recoversTheSurfaceFromNoisyCellsWithIntervalsHoldingTheTruth() {
        LossSurfaceFit.Result fit = LossSurfaceFit.fit(grid(7, 2e-3), LossSurfaceFit.DEFAULT_DELTA, 60, 3);
        System.out.println(fit);
        assertEquals(NS.length * DS.length, fit.cells());
        // 0.2% noise on 36 cells: exponents within 0.05, E within 0.1, prefactors within a factor 1.5
        // (A and alpha trade off along a ridge: ln A moves by about ln N times the exponent error)
        assertEquals(E, fit.point().e(), 0.1);
        assertEquals(ALPHA, fit.point().alpha(), 0.05);
        assertEquals(BETA, fit.point().beta(), 0.05);
        assertEquals(0, Math.log(fit.point().a() / A), Math.log(1.5));
        assertEquals(0, Math.log(fit.point().b() / B), Math.log(1.5));
        assertTrue(fit.alpha().contains(ALPHA), "alpha " + fit.alpha());
        assertTrue(fit.beta().contains(BETA), "beta " + fit.beta());
        assertTrue(fit.e().contains(E), "E " + fit.e());
        assertTrue(fit.replicatesUsed() >= 57, fit.replicatesUsed() + " of 60");
        // the misfit is the noise (sd 2e-3 in ln L), not a wrong shape
        assertTrue(fit.logRms() < 1.5 * 2e-3, "log rms " + fit.logRms());
        // and a prediction one step beyond the grid in both N and D lands within 1% of the truth
        assertEquals(1, fit.point().predict(1e10, 4e11) / truth(1e10, 4e11), 0.01);
    }

    @Test
    void oneBadCellBarelyMovesTheHuberFit() {
        List<LossSurfaceFit.Point> pts = new ArrayList<>(grid(5, 1e-3));
        // a cell whose LR ladder missed the basin: 15% above the surface
        LossSurfaceFit.Point bad = pts.get(14);
        pts.set(14, new LossSurfaceFit.Point(bad.cell(), bad.n(), bad.d(), 1.15 * bad.loss()));
        LossSurfaceFit.Coefficients c = LossSurfaceFit.fitPoints(pts, LossSurfaceFit.DEFAULT_DELTA);
        assertEquals(ALPHA, c.alpha(), 0.05);
        assertEquals(BETA, c.beta(), 0.05);
        assertEquals(E, c.e(), 0.1);
    }

    @Test
    void aReplicateIsAPureFunctionAndReplicatesJoinOutOfOrder() {
        List<LossSurfaceFit.Point> pts = grid(2, 2e-3);
        double delta = LossSurfaceFit.DEFAULT_DELTA;
        assertEquals(LossSurfaceFit.replicate(pts, delta, 9, 4), LossSurfaceFit.replicate(pts, delta, 9, 4));
        assertNotEquals(LossSurfaceFit.replicate(pts, delta, 9, 4), LossSurfaceFit.replicate(pts, delta, 9, 5));
        LossSurfaceFit.Result direct = LossSurfaceFit.fit(pts, delta, 12, 9);
        LossSurfaceFit.Coefficients warm = LossSurfaceFit.fitChecked(pts, delta).warmStart();
        assertTrue(warm != null, "a surface this grid identifies has one optimum to start replicates from");
        assertEquals(LossSurfaceFit.replicate(pts, delta, 9, 4, warm), LossSurfaceFit.replicate(pts, delta, 9, 4, warm));
        List<LossSurfaceFit.Coefficients> reps = new ArrayList<>();
        for (int i = 11; i >= 0; i--) {
            reps.add(LossSurfaceFit.replicate(pts, delta, 9, i, warm));
        }
        LossSurfaceFit.Result joined = LossSurfaceFit.summarise(pts, delta, direct.point(), reps);
        assertEquals(direct.alpha(), joined.alpha());
        assertEquals(direct.e(), joined.e());
    }

    /** The warm start is a shortcut, not a different estimator: the grid of starts gives the same intervals. */
    @Test
    void warmStartedReplicatesGiveTheIntervalsOfEveryStart() {
        List<LossSurfaceFit.Point> pts = grid(7, 2e-3);
        double delta = LossSurfaceFit.DEFAULT_DELTA;
        LossSurfaceFit.PointFit all = LossSurfaceFit.fitChecked(pts, delta);
        assertTrue(all.unique(), "every start reaches the same optimum on an identified surface");
        int n = 30;
        List<LossSurfaceFit.Coefficients> warm = new ArrayList<>();
        List<LossSurfaceFit.Coefficients> grid = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            warm.add(LossSurfaceFit.replicate(pts, delta, 5, i, all.warmStart()));
            grid.add(LossSurfaceFit.replicate(pts, delta, 5, i));
        }
        LossSurfaceFit.Result w = LossSurfaceFit.summarise(pts, delta, all.coefficients(), warm);
        LossSurfaceFit.Result g = LossSurfaceFit.summarise(pts, delta, all.coefficients(), grid);
        Interval[][] pairs = {{w.e(), g.e()}, {w.a(), g.a()}, {w.alpha(), g.alpha()}, {w.b(), g.b()}, {w.beta(), g.beta()}};
        for (Interval[] p : pairs) {
            assertEquals(1, p[0].lo() / p[1].lo(), 1e-3, p[0] + " vs " + p[1]);
            assertEquals(1, p[0].hi() / p[1].hi(), 1e-3, p[0] + " vs " + p[1]);
        }
        assertEquals(n, w.replicatesUsed());
    }

    /** With no N or D trend E, A and B trade off freely: no single optimum, so replicates keep every start. */
    @Test
    void anUnidentifiedSurfaceIsNotWarmStarted() {
        Random rng = new Random(3);
        List<LossSurfaceFit.Point> flat = new ArrayList<>();
        for (double n : NS) {
            for (double d : DS) {
                flat.add(new LossSurfaceFit.Point("N=" + n + ",D=" + d, n, d, 2.0 + 3e-4 * rng.nextGaussian()));
            }
        }
        LossSurfaceFit.PointFit all = LossSurfaceFit.fitChecked(flat, LossSurfaceFit.DEFAULT_DELTA);
        assertTrue(all.coefficients().finite());
        assertFalse(all.unique(), all.toString());
        assertNull(all.warmStart());
    }

    @Test
    void pointsComeFromBracketedOptimaOnly() {
        List<RunPoint> runs = new ArrayList<>(SyntheticRuns.stepLawTable(3, 5e-4));
        runs.add(RunPoint.diverged("dead", 1e8, 1e9, 1e-2, 1 << 18));
        List<CellOptimum> optima = CellOptimum.byCell(runs, CellOptimum.DEFAULT_BAND);
        List<LossSurfaceFit.Point> pts = LossSurfaceFit.fromOptima(optima);
        long bracketed = optima.stream().filter(o -> !o.allDiverged() && !o.edge()).count();
        assertEquals(bracketed, pts.size());
        assertTrue(pts.stream().noneMatch(p -> p.cell().equals("dead")));
        // SyntheticRuns' floor is 1.8 + 400/N^0.34 + 400/D^0.28: the surface through its cell optima finds it
        LossSurfaceFit.Coefficients c = LossSurfaceFit.fitPoints(pts, LossSurfaceFit.DEFAULT_DELTA);
        assertEquals(0.34, c.alpha(), 0.05);
        assertEquals(0.28, c.beta(), 0.05);
        assertEquals(1.8, c.e(), 0.1);
    }

    @Test
    void twoDistinctDCannotIdentifyTheSurface() {
        List<LossSurfaceFit.Point> pts = grid(1, 1e-3).stream().filter(p -> p.d() <= DS[1]).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> LossSurfaceFit.fit(pts, LossSurfaceFit.DEFAULT_DELTA, 10, 1));
        assertTrue(e.getMessage().startsWith("Cannot fit the loss surface"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LossSurfaceFit.Point("c", 1e8, 1e9, Double.NaN));
    }
}
