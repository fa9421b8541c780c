package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StepLawHoldoutTest {
    @Test
    void predictionAtTheHeldOutSizeLandsOnThePlateauOfGeneratedData() {
        StepLawHoldout.Result r = StepLawHoldout.leaveLargestNOut(SyntheticRuns.stepLawTable(13, 5e-4), 0.0025);
        assertEquals(SyntheticRuns.NS[SyntheticRuns.NS.length - 1], r.heldOutN());
        assertEquals(SyntheticRuns.DS.length, r.cells().size());
        // the law is exact here, so the predicted point must sit on the cell's 0.25% plateau
        assertTrue(r.maxRelativeError() < CellOptimum.DEFAULT_BAND, "max relative error " + r.maxRelativeError());
        for (StepLawHoldout.CellCheck c : r.cells()) {
            assertTrue(c.relativeError() >= 0, c.toString());
            double trueLr = SyntheticRuns.lrStar(c.n(), c.d());
            assertEquals(0, Math.log(c.lrPred() / trueLr), 0.35, "predicted lr within half an octave of the truth");
        }
    }

    @Test
    void publishedDataHoldout() throws Exception {
        List<RunPoint> runs = StepLawCsv.read(SharedData.file("steplaw_dense_runs.csv"));
        StepLawHoldout.Result r = StepLawHoldout.leaveLargestNOut(runs, CellOptimum.DEFAULT_BAND);
        System.out.printf("Step Law holdout (N=%.4g left out, fit cN %.4f cD %.4f kD %.4f): mean %.4f%%, max %.4f%%%n",
            r.heldOutN(), r.fitted().cN(), r.fitted().cD(), r.fitted().kD(), 100 * r.meanRelativeError(),
            100 * r.maxRelativeError());
        for (StepLawHoldout.CellCheck c : r.cells()) {
            System.out.printf("  %s: lr %.4g B %.4g tokens -> nearest lr %.4g B %.4g (log distance %.3f), loss %.4f vs "
                    + "best %.4f: %.4f%%%n", c.cell(), c.lrPred(), c.batchTokensPred(), c.nearest().lr(),
                c.nearest().batchTokens(), c.logDistance(), c.nearest().rankLoss(), c.bestLoss(),
                100 * c.relativeError());
        }
        assertEquals(2, r.cells().size(), "the largest N has two D cells in the file");
        assertTrue(Double.isFinite(r.meanRelativeError()) && r.meanRelativeError() >= 0);
    }
}
