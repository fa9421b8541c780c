package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CellOptimumTest {
    static final double N = 1e8;
    static final double D = 2e9;
    static final double B = 1 << 18;

    /** A half-octave LR ladder from 1e-3 with loss exactly quadratic in ln lr around lrStar. */
    static List<RunPoint> parabola(double lrStar, int steps) {
        List<RunPoint> runs = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            double lr = 1e-3 * Math.pow(2, k / 2.0);
            double u = Math.log(lr / lrStar);
            runs.add(RunPoint.completed("c", N, D, lr, B, 3.0 + 0.05 * u * u));
        }
        return runs;
    }

    @Test
    void parabolaRecoversAnOptimumBetweenGridPoints() {
        CellOptimum c = CellOptimum.of("c", parabola(3.7e-3, 9), 0.0025);
        assertTrue(c.refined());
        assertFalse(c.edge());
        assertEquals(3.7e-3, c.lrOpt(), 3.7e-3 * 1e-9);
        assertEquals(4e-3, c.best().lr(), 1e-3, "the best grid point is the one nearest 3.7e-3");
        assertEquals(B, c.batchTokensOpt());
    }

    @Test
    void optimumBeyondTheLadderIsFlaggedAndKeepsTheGridValue() {
        List<RunPoint> runs = parabola(1e-1, 9);
        CellOptimum c = CellOptimum.of("c", runs, 0.0025);
        assertTrue(c.edge());
        assertFalse(c.refined());
        assertEquals(runs.get(8).lr(), c.lrOpt());
    }

    @Test
    void everyRunDivergedIsAFlagNotACrash() {
        List<RunPoint> runs = List.of(RunPoint.diverged("c", N, D, 1e-2, B), RunPoint.diverged("c", N, D, 2e-2, B),
            new RunPoint("c", N, D, 4e-2, B, Double.NaN, RunStatus.FAILED));
        CellOptimum c = CellOptimum.of("c", runs, 0.0025);
        assertTrue(c.allDiverged());
        assertNull(c.best());
        assertTrue(Double.isNaN(c.lrOpt()));
        assertEquals(3, c.runs());
        assertEquals(2, c.diverged());
        assertEquals(1, c.failed());
        assertTrue(c.nearOptimal().isEmpty());
    }

    @Test
    void divergedRunsRankAboveEveryFiniteLossAndBoundTheParabola() {
        List<RunPoint> runs = new ArrayList<>(parabola(4e-3, 5)); // 1e-3 .. 4e-3: best at the top end
        runs.add(RunPoint.diverged("c", N, D, 1e-3 * Math.pow(2, 2.5), B));
        CellOptimum c = CellOptimum.of("c", runs, 0.0025);
        assertEquals(1, c.diverged());
        assertEquals(4e-3, c.best().lr(), 1e-12);
        // bracketed by a diverged run: not an edge, but no finite neighbour to fit a parabola through
        assertFalse(c.edge());
        assertFalse(c.refined());
        assertEquals(4e-3, c.lrOpt(), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, runs.get(5).rankLoss());
    }

    @Test
    void nearOptimalSetIsTheBandAroundTheBestLoss() {
        CellOptimum c = CellOptimum.of("c", parabola(3.7e-3, 9), 0.0025);
        double limit = c.best().loss() * 1.0025;
        long inBand = parabola(3.7e-3, 9).stream().filter(r -> r.loss() <= limit).count();
        assertEquals(inBand, c.nearOptimal().size());
        assertEquals(c.best(), c.nearOptimal().get(0));
        assertTrue(c.nearOptimal().size() >= 2);
    }

    @Test
    void theRefinementUsesTheLrCurveAtTheBestBatch() {
        List<RunPoint> runs = new ArrayList<>(parabola(3.7e-3, 9));
        // a worse batch whose curve would pull the vertex elsewhere
        for (int k = 0; k < 9; k++) {
            double lr = 1e-3 * Math.pow(2, k / 2.0);
            double u = Math.log(lr / 8e-3);
            runs.add(RunPoint.completed("c", N, D, lr, 2 * B, 3.1 + 0.05 * u * u));
        }
        CellOptimum c = CellOptimum.of("c", runs, 0.0025);
        assertEquals(3.7e-3, c.lrOpt(), 3.7e-3 * 1e-9);
        assertEquals(B, c.batchTokensOpt());
    }

    @Test
    void runsOfAnotherScaleInTheCellAreRefused() {
        List<RunPoint> runs = List.of(RunPoint.completed("c", N, D, 1e-3, B, 3), RunPoint.completed("c", 2 * N, D, 1e-3,
            B, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CellOptimum.of("c", runs,
            0.0025));
        assertTrue(e.getMessage().startsWith("Cannot find the optimum of cell c"), e.getMessage());
    }

    @Test
    void aCompletedRunMustHaveAFiniteLoss() {
        assertThrows(IllegalArgumentException.class, () -> RunPoint.completed("c", N, D, 1e-3, B, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> RunPoint.completed("c", N, D, 0, B, 3));
    }
}
