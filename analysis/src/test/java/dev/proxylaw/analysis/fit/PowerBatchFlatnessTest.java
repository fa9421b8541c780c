package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PowerBatchFlatnessTest {
    @Test
    void theLawsRunsAreFlatAcrossBatch() {
        // PowerSchedulerFitTest's runs follow eta_opt = a B D^b exactly, through LR ladders and parabola refinement
        List<PowerSchedulerFit.Point> pts = PowerSchedulerFit.fromOptima(
            CellOptimum.byCell(PowerSchedulerFitTest.runs(n -> PowerSchedulerFitTest.B, 6), CellOptimum.DEFAULT_BAND),
            PowerSchedulerFitTest.SEQ_LEN);
        PowerBatchFlatness.Result r = PowerBatchFlatness.check(pts, PowerBatchFlatness.DEFAULT_MAX_SPREAD);
        assertTrue(r.flat());
        assertEquals(PowerSchedulerFitTest.SIZES.length * PowerSchedulerFitTest.DS.length, r.groups().size());
        double worst = r.groups().stream().mapToDouble(PowerBatchFlatness.Group::spread).max().orElseThrow();
        System.out.printf("eta/B spread across batch under the law: worst %.3f%n", worst);
        // refinement leaves only the 2e-4 loss noise: well under one ladder step (sqrt 2)
        assertTrue(worst < 1.2, "worst spread " + worst);
        assertEquals(PowerSchedulerFitTest.BATCH_SEQS.length, r.groups().get(0).batches());
    }

    @Test
    void anOptimumThatIgnoresBatchIsFlagged() {
        // eta_opt the same at every batch: eta/B then spreads by the batch ratio, 256/64 = 4
        List<PowerSchedulerFit.Point> pts = new ArrayList<>();
        for (double bs : PowerSchedulerFitTest.BATCH_SEQS) {
            pts.add(new PowerSchedulerFit.Point("N=1e8", 2e9, 1e-3, bs));
            pts.add(new PowerSchedulerFit.Point("N=1e8", 8e9, 1e-3 * bs / 64, bs));
        }
        pts.add(new PowerSchedulerFit.Point("N=1e8", 3.2e10, 1e-3, 64));
        PowerBatchFlatness.Result r = PowerBatchFlatness.check(pts, 1.5);
        assertFalse(r.flat());
        PowerBatchFlatness.Group bad = r.groups().get(0);
        assertEquals(2e9, bad.d());
        assertEquals(256.0 / 64, bad.spread(), 1e-12);
        assertTrue(bad.flagged());
        assertFalse(r.groups().get(1).flagged());
        assertEquals(1, r.groups().get(1).spread(), 1e-12);
        assertEquals(List.of("N=1e8,D=" + 3.2e10), r.singleBatch());
        assertThrows(IllegalArgumentException.class, () -> PowerBatchFlatness.check(pts, 0.5));
    }
}
