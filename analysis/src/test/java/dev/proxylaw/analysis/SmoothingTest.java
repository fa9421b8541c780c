package dev.proxylaw.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SmoothingTest {
    @Test
    void matchesScipyGaussianFilter1d() {
        // printed by Debian's scipy 1.10.1: gaussian_filter1d(x, sigma) with its defaults (mode='reflect', truncate=4.0)
        double[] want = {1.5051988453, 2.5761144354, 5.0100174539, 9.0433728693, 12.8652963961};
        assertArrayEquals(want, Smoothing.gaussianFilter1d(new double[] {1, 2, 4, 8, 16}, 1.0), 1e-9);
        // radius 10 > length 8: the reflection wraps more than once
        double[] want2 = {2.7421982672, 2.9160361079, 3.2452967063, 3.6807781723, 4.1400596587, 4.5341395654,
            4.8047500856, 4.9367414366};
        assertArrayEquals(want2, Smoothing.gaussianFilter1d(new double[] {3, 1, 4, 1, 5, 9, 2, 6}, 2.5), 1e-9);
    }

    @Test
    void reflectRepeatsTheEdgeSample() {
        assertEquals(0, Smoothing.reflect(-1, 4));
        assertEquals(1, Smoothing.reflect(-2, 4));
        assertEquals(3, Smoothing.reflect(4, 4));
        assertEquals(2, Smoothing.reflect(5, 4));
    }

    @Test
    void sigmaFollowsTheStepLawRule() {
        assertEquals(0.5, Smoothing.stepLawSigma(50), 1e-12);
        assertEquals(100.0, Smoothing.stepLawSigma(1_000_000), 1e-12);
    }

    @Test
    void smoothedFinalIsNaNForDivergedCurves() {
        assertTrue(Double.isNaN(Smoothing.smoothedFinal(new double[] {3, 2, Double.NaN})));
        assertTrue(Double.isNaN(Smoothing.smoothedFinal(new double[0])));
    }

    @Test
    void constantCurveSmoothsToItself() {
        double[] c = new double[300];
        java.util.Arrays.fill(c, 2.5);
        assertEquals(2.5, Smoothing.smoothedFinal(c), 1e-12);
    }
}
