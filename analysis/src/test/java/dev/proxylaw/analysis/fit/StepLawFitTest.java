package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepLawFitTest {
    @Test
    void recoversTheGeneratingLawWithinFiveHundredths() {
        List<RunPoint> runs = SyntheticRuns.stepLawTable(7, 5e-4);
        StepLawFit.Result fit = StepLawFit.fit(runs, CellOptimum.DEFAULT_BAND, 200, 11);
        System.out.println(fit);
        assertEquals(SyntheticRuns.NS.length * SyntheticRuns.DS.length, fit.cells());
        assertEquals(SyntheticRuns.CN, fit.cN().point(), 0.05);
        assertEquals(SyntheticRuns.CD, fit.cD().point(), 0.05);
        assertEquals(SyntheticRuns.KD, fit.kD().point(), 0.05);
        // prefactors: the predicted optimum at a mid-grid scale within 20% of the truth
        double n = 2e8;
        double d = 1.6e10;
        assertEquals(1, fit.point().predictLr(n, d) / SyntheticRuns.lrStar(n, d), 0.2);
        assertEquals(1, fit.point().predictBatchTokens(d) / SyntheticRuns.batchStar(d), 0.2);
        assertTrue(fit.cN().lo() <= fit.cN().point() && fit.cN().point() <= fit.cN().hi());
        // the residuals are the plateau's spread, not misfit: no wider than the band's half-width in ln lr
        double maxFloor = SyntheticRuns.floorLoss(SyntheticRuns.NS[0], SyntheticRuns.DS[0]);
        double halfWidth = Math.sqrt(CellOptimum.DEFAULT_BAND * maxFloor / SyntheticRuns.LR_CURVATURE);
        assertTrue(fit.lrFit().residualRms() < halfWidth, fit.lrFit().residualRms() + " vs " + halfWidth);
    }

    @Test
    void keptRunsAreTheCompletedOnesWithinTheBandOfTheirCell() {
        List<RunPoint> runs = SyntheticRuns.stepLawTable(3, 5e-4);
        List<RunPoint> kept = StepLawFit.keepNearOptimal(runs, 0.0025);
        for (RunPoint k : kept) {
            double best = runs.stream().filter(r -> r.cell().equals(k.cell())).mapToDouble(RunPoint::rankLoss).min()
                .orElseThrow();
            assertEquals(RunStatus.COMPLETED, k.status());
            assertTrue(k.loss() <= best * 1.0025);
        }
        long expected = runs.stream().filter(r -> r.status() == RunStatus.COMPLETED).filter(r -> r.loss()
            <= 1.0025 * runs.stream().filter(o -> o.cell().equals(r.cell())).mapToDouble(RunPoint::rankLoss).min()
            .orElseThrow()).count();
        assertEquals(expected, kept.size());
    }

    @Test
    void aReplicateIsAPureFunctionOfPointsSeedAndIndex() {
        List<RunPoint> kept = StepLawFit.keepNearOptimal(SyntheticRuns.stepLawTable(5, 5e-4), 0.0025);
        assertEquals(StepLawFit.replicate(kept, 42, 17), StepLawFit.replicate(kept, 42, 17));
        assertNotEquals(StepLawFit.replicate(kept, 42, 17), StepLawFit.replicate(kept, 42, 18));
        assertNotEquals(StepLawFit.replicate(kept, 42, 17), StepLawFit.replicate(kept, 43, 17));
        // replicates computed out of order (as Spark tasks would) summarise to the same result as fit()
        StepLawFit.Result direct = StepLawFit.fit(SyntheticRuns.stepLawTable(5, 5e-4), 0.0025, 50, 42);
        List<StepLawCoefficients> reps = new ArrayList<>();
        for (int i = 49; i >= 0; i--) {
            reps.add(StepLawFit.replicate(kept, 42, i));
        }
        StepLawFit.Result joined = StepLawFit.summarise(direct.cells(), kept, List.of(), direct.point(), reps);
        assertEquals(direct.cD(), joined.cD());
        assertEquals(direct.kD(), joined.kD());
    }

    @Test
    void allDivergedCellsAreReportedNotFatal() {
        List<RunPoint> runs = new ArrayList<>(SyntheticRuns.stepLawTable(9, 5e-4));
        for (int k = 0; k < 5; k++) {
            runs.add(RunPoint.diverged("N=1e10,D=1e9", 1e10, 1e9, 1e-2 * (k + 1), 1 << 18));
        }
        StepLawFit.Result fit = StepLawFit.fit(runs, 0.0025, 20, 1);
        assertEquals(List.of("N=1e10,D=1e9"), fit.allDivergedCells());
        assertEquals(SyntheticRuns.CN, fit.cN().point(), 0.05);
    }

    @Test
    void aSingleScaleCannotIdentifyTheLaw() {
        List<RunPoint> one = SyntheticRuns.stepLawTable(1, 5e-4).stream()
            .filter(r -> r.n() == SyntheticRuns.NS[0] && r.d() == SyntheticRuns.DS[0]).toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> StepLawFit.fit(one, 0.0025, 10, 1));
        assertTrue(e.getMessage().startsWith("Cannot fit the Step Law"), e.getMessage());
    }
}
