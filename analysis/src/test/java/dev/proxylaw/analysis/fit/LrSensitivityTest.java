package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LrSensitivityTest {
    static RunPoint at(double lr, double loss) {
        return RunPoint.completed("c", 1e7, 1e8, lr, 1 << 16, loss);
    }

    @Test
    void meanExcessOverTheBestWithDivergenceCountedAsInitLoss() {
        double l0 = 4.0;
        List<RunPoint> curve = List.of(at(3e-4, 3.0), at(1e-3, 2.5), at(3e-3, 2.2), at(1e-2, 2.4), at(3e-2, 5.0),
            RunPoint.diverged("c", 1e7, 1e8, 1e-1, 1 << 16), new RunPoint("c", 1e7, 1e8, 3e-1, 1 << 16, Double.NaN,
                RunStatus.FAILED));
        // by the definition: clipped losses 3.0, 2.5, 2.2, 2.4, 4.0 (5.0 clipped), 4.0 (diverged); L* = 2.2; FAILED left out
        double want = (0.8 + 0.3 + 0 + 0.2 + 1.8 + 1.8) / 6;
        assertEquals(want, LrSensitivity.of(curve, l0), 1e-12);
    }

    @Test
    void aFlatCurveIsInsensitive() {
        assertEquals(0, LrSensitivity.of(List.of(at(1e-3, 2.5), at(1e-2, 2.5)), 4.0), 1e-12);
    }

    @Test
    void noCompletedRunIsAnError() {
        assertThrows(IllegalArgumentException.class,
            () -> LrSensitivity.of(List.of(RunPoint.diverged("c", 1e7, 1e8, 1e-1, 1 << 16)), 4.0));
    }
}
