package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeedNoiseTest {
    static RunRecord run(double lr, double loss) {
        return RunRecord.of("f", 1e5, 1e6, lr, 1024, loss, RunStatus.COMPLETED);
    }

    @Test
    void relativeSpreadOfRepeatedPointsAgainstTheBand() {
        List<RunRecord> runs = new ArrayList<>();
        for (double lr : new double[] {1e-3, 2e-3, 4e-3, 8e-3, 1.6e-2}) {
            runs.add(run(lr, 3.0 + Math.abs(Math.log(lr / 4e-3))));
        }
        // two points with 3 seeds: sd 0.01 at mean 3.0 (0.333%), sd 0.03 at mean 3.0 + ln 2 (0.812%)
        runs.add(run(4e-3, 2.99));
        runs.add(run(4e-3, 3.01));
        double l2 = 3.0 + Math.log(2);
        runs.add(run(2e-3, l2 - 0.03));
        runs.add(run(2e-3, l2 + 0.03));
        // a point with 2 seeds does not count, nor a diverged run
        runs.add(run(8e-3, 3.0 + Math.log(2) + 0.5));
        runs.add(RunRecord.of("f", 1e5, 1e6, 1.6e-2, 1024, Double.NaN, RunStatus.DIVERGED));
        LawsDocument.Noise n = SeedNoise.of(FitCell.of(runs, 0.0025), 0.0025);
        assertEquals(2, n.points());
        assertEquals(6, n.runs());
        assertEquals((0.01 / 3.0 + 0.03 / l2) / 2, n.medianRelativeSd(), 1e-12);
        assertEquals(0.03 / l2, n.maxRelativeSd(), 1e-12);
        assertTrue(n.bandBelowNoise(), n.summary());
        assertFalse(SeedNoise.of(FitCell.of(runs, 0.01), 0.01).bandBelowNoise());
        assertTrue(n.summary().contains("0.333%") || n.summary().contains("median 0.5"), n.summary());
        // and the fit reports it, with a note when the band is below it
        FitCore.Result r = FitCore.fit(runs, FitCoreTest.options(Resampling.CELL, 20), Replicates.IN_PROCESS, "t", null);
        LawsDocument.Family f = r.laws().families().get("f");
        assertEquals(n, f.noise());
        assertTrue(f.notes().stream().anyMatch(s -> s.contains("the band is below the noise")), f.notes().toString());
        assertNull(SeedNoise.of(FitCell.of(runs.subList(0, 5), 0.0025), 0.0025), "no repeated point: no noise floor");
    }
}
