package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The published Step Law runs, fitted by the paper's procedure, must give what science.md section 2
 * says the file gives: lr ~ N^-0.77 (95%: -0.87..-0.67) * D^0.20 (0.13..0.26), bs ~ D^0.61 (0.54..0.68).
 */
class StepLawPublishedDataTest {
    static List<RunPoint> runs;
    static StepLawFit.Result fit;

    @BeforeAll
    static void fitOnce() throws Exception {
        runs = StepLawCsv.read(SharedData.file("steplaw_dense_runs.csv"));
        fit = StepLawFit.fit(runs, CellOptimum.DEFAULT_BAND, 1000, 20250304L);
        System.out.println(fit);
    }

    @Test
    void fileHasTheDocumentedShape() {
        assertEquals(1911, runs.size());
        assertEquals(17, fit.cells());
        assertTrue(fit.allDivergedCells().isEmpty());
    }

    @Test
    void pointEstimatesMatchScienceMd() {
        assertEquals(-0.77, fit.cN().point(), 0.02, "N exponent of lr");
        assertEquals(0.20, fit.cD().point(), 0.02, "D exponent of lr");
        assertEquals(0.61, fit.kD().point(), 0.02, "D exponent of batch");
    }

    @Test
    void bootstrapIntervalsMatchScienceMd() {
        assertEquals(1000, fit.replicatesUsed());
        assertInterval(-0.87, -0.67, fit.cN());
        assertInterval(0.13, 0.26, fit.cD());
        assertInterval(0.54, 0.68, fit.kD());
    }

    private static void assertInterval(double lo, double hi, Interval got) {
        assertEquals(lo, got.lo(), 0.03, "lower end of " + got);
        assertEquals(hi, got.hi(), 0.03, "upper end of " + got);
    }
}
