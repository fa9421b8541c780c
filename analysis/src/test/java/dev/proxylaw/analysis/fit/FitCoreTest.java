package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.analysis.fit.laws.LawsFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The whole fit in a plain JVM: tables with known truth, a Chinchilla-style table and the published Step Law file. */
class FitCoreTest {
    static FitCore.Options options(Resampling r, int boots) {
        return new FitCore.Options(CellOptimum.DEFAULT_BAND, boots, 20, 20250304L, r, EdgeRule.EXCLUDE);
    }

    static List<RunRecord> records(String family, List<RunPoint> points) {
        List<RunRecord> out = new ArrayList<>();
        for (RunPoint p : points) {
            out.add(RunRecord.of(family, p.n(), p.d(), p.lr(), p.batchTokens(), p.loss(), p.status()));
        }
        return out;
    }

    @Test
    void aMultiFamilySweepFitsEveryFamilyAndRoundTripsThroughLawsJson() throws Exception {
        List<RunRecord> runs = new ArrayList<>(records("a", SyntheticRuns.stepLawTable(1, 1e-3)));
        runs.addAll(records("b", SyntheticRuns.stepLawTable(2, 1e-3)));
        FitCore.Result r = FitCore.fit(runs, options(Resampling.CELL, 100), Replicates.IN_PROCESS, "test", System.out);
        assertEquals(2, r.laws().families().size());
        for (String f : List.of("a", "b")) {
            LawsDocument.StepLaw s = r.laws().families().get(f).stepLaw();
            assertEquals(SyntheticRuns.CN, s.cN().value(), 0.05, f);
            assertEquals(SyntheticRuns.CD, s.cD().value(), 0.05, f);
            assertEquals(SyntheticRuns.KD, s.kD().value(), 0.05, f);
            assertNotNull(r.laws().families().get(f).lossSurface(), f);
        }
        assertEquals("b", r.laws().families().get("b").shortName());
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        LawsFile.write(r.laws(), json);
        LawsDocument back = LawsFile.read(new ByteArrayInputStream(json.toByteArray()), "test");
        assertEquals(r.laws().families().get("a").stepLaw().cN(), back.families().get("a").stepLaw().cN());
        assertEquals(LawsDocument.SCHEMA_VERSION, back.schemaVersion());
        assertTrue(json.toString().contains("\"cN\"") && json.toString().contains("\"kept_runs\""), "keys as README");
    }

    @Test
    void batchNeverSweptLeavesKdUnidentified() {
        List<RunPoint> one = SyntheticRuns.stepLawTable(3, 1e-3).stream().filter(p -> p.batchTokens() == Math.pow(2, 20))
                .toList();
        LawsDocument.StepLaw s = FitCore.fit(records("x", one), options(Resampling.CELL, 50), Replicates.IN_PROCESS, "t",
                null).laws().families().get("x").stepLaw();
        assertFalse(s.kD().identified(), s.kD().toString());
        assertFalse(s.k0().identified());
        assertTrue(s.kD().unidentified().contains("batch was never varied"));
        assertTrue(s.cN().identified());
    }

    @Test
    void aTableOfOneLossPerCellFitsTheLossSurface() {
        // Chinchilla's surface, one best loss per (N, D), no lr or batch: the loss surface is what it can give
        List<RunRecord> runs = new ArrayList<>();
        Random rng = new Random(7);
        for (double n : new double[] {4e7, 1e8, 3e8, 1e9, 3e9}) {
            for (double d : new double[] {1e9, 4e9, 1.6e10, 6.4e10}) {
                double loss = 1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28);
                runs.add(RunRecord.of("table", n, d, Double.NaN, Double.NaN, loss * (1 + 1e-3 * rng.nextGaussian()),
                        RunStatus.COMPLETED));
            }
        }
        // two points whose N agree to four digits are two cells, not a crash
        runs.add(RunRecord.of("table", 1.00004e8, 4e9, Double.NaN, Double.NaN, 2.9, RunStatus.COMPLETED));
        FitCore.Result r = FitCore.fit(runs, options(Resampling.CELL, 50), Replicates.IN_PROCESS, "t", null);
        assertEquals(21, r.cells().size());
        LawsDocument.Family f = r.laws().families().get("table");
        assertNull(f.stepLaw());
        assertTrue(f.notes().toString().contains("no lr or batch"), f.notes().toString());
        assertNotNull(f.lossSurface(), f.notes().toString());
        assertTrue(f.lossSurface().alpha().identified(), f.lossSurface().toString());
        assertEquals(0.34, f.lossSurface().alpha().value(), 0.1);
        assertEquals(0.28, f.lossSurface().beta().value(), 0.1);
    }

    @Test
    void sizesThatNearlyCoincideLeaveTheSurfaceUnidentifiedWithoutReplicates() {
        // three N within 0.3%: the N term of the surface cannot be told from E
        List<RunRecord> runs = new ArrayList<>();
        Random rng = new Random(11);
        for (double n : new double[] {1e8, 1.001e8, 1.003e8}) {
            for (double d : new double[] {1e9, 4e9, 1.6e10, 6.4e10}) {
                double loss = 1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28);
                runs.add(RunRecord.of("near", n, d, Double.NaN, Double.NaN, loss * (1 + 1e-3 * rng.nextGaussian()),
                        RunStatus.COMPLETED));
            }
        }
        FitCore.Options o = new FitCore.Options(CellOptimum.DEFAULT_BAND, 100, 200, 1, Resampling.CELL, EdgeRule.EXCLUDE);
        LawsDocument.Family f = FitCore.fit(runs, o, Replicates.IN_PROCESS, "t", null).laws().families().get("near");
        assertNotNull(f.lossSurface(), f.notes().toString());
        assertFalse(f.lossSurface().alpha().identified(), f.lossSurface().toString());
        assertEquals(0, f.lossSurface().replicatesUsed());
        assertTrue(f.lossSurface().alpha().unidentified().contains("span N over 1.003x"), f.lossSurface().toString());
    }

    @Test
    void publishedStepLawFileUnderBothResamplings() throws Exception {
        List<RunRecord> runs = new ArrayList<>();
        for (RunPoint p : StepLawCsv.read(SharedData.file("steplaw_dense_runs.csv"))) {
            runs.add(new RunRecord("table", p.n(), p.d(), p.lr(), p.batchTokens(), StepLawCsv.SEQ_LEN, p.loss(),
                    p.status(), Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        }
        // the paper's procedure: every cell kept, near-optimal runs resampled
        FitCore.Options paper = new FitCore.Options(CellOptimum.DEFAULT_BAND, 1000, 20, 20250304L, Resampling.RUN, EdgeRule.KEEP);
        LawsDocument.StepLaw run = FitCore.fit(runs, paper, Replicates.IN_PROCESS, "published", null).laws().families()
                .get("table").stepLaw();
        FitCore.Options cellLevel = new FitCore.Options(CellOptimum.DEFAULT_BAND, 1000, 20, 20250304L, Resampling.CELL,
                EdgeRule.KEEP);
        LawsDocument.StepLaw cell = FitCore.fit(runs, cellLevel, Replicates.IN_PROCESS, "published", null).laws()
                .families().get("table").stepLaw();
        LawsDocument.StepLaw defaults = FitCore.fit(runs, options(Resampling.CELL, 1000), Replicates.IN_PROCESS, "published",
                null).laws().families().get("table").stepLaw();
        System.out.printf("published file, %d cells (%d censored), %d kept runs%n  paper (run-level, keep): cN %s cD %s kD %s%n"
                + "  cell-level, keep: cN %s cD %s kD %s%n  defaults (cell-level, exclude; %d cells): cN %s cD %s kD %s%n",
                run.cells(), run.edgeCells(), run.keptRuns(), run.cN(), run.cD(), run.kD(), cell.cN(), cell.cD(), cell.kD(),
                defaults.cells(), defaults.cN(), defaults.cD(), defaults.kD());
        assertEquals(17, run.cells());
        assertEquals(1, run.edgeCells());
        assertEquals(16, defaults.cells());
        assertEquals(-0.77, run.cN().value(), 0.02);
        assertEquals(0.20, run.cD().value(), 0.02);
        assertEquals(0.61, run.kD().value(), 0.02);
        assertEquals(-0.87, run.cN().lo95(), 0.03);
        assertEquals(-0.67, run.cN().hi95(), 0.03);
        assertEquals(0.54, run.kD().lo95(), 0.03);
        assertEquals(0.68, run.kD().hi95(), 0.03);
        // same points; resampling whole cells widens the intervals: 17 cells are 17 measurements
        assertEquals(run.cN().value(), cell.cN().value(), 1e-12);
        assertTrue(cell.cN().hi95() - cell.cN().lo95() > run.cN().hi95() - run.cN().lo95());
    }

    /** One parameterization has a floor but nothing to compare it with: its penalty is unidentified, not 0 +- 0. */
    @Test
    void aSingleParameterizationHasNoAsymptoticPenalty() {
        List<RunRecord> runs = new ArrayList<>();
        for (double w : new double[] {16, 32, 64, 128, 256}) {
            for (int k = -4; k <= 4; k++) {
                double lr = 1e-2 * Math.pow(2, k / 2.0);
                double loss = 2 + 3 * Math.pow(w, -0.5) + 0.05 * Math.pow(Math.log(lr / 1e-2), 2);
                runs.add(new RunRecord("muP", 24 * w * w, 1e6, lr, 1024, 64, loss, RunStatus.COMPLETED, Double.NaN, w, 2,
                        Double.NaN));
            }
        }
        LawsDocument.Transfer t = FitCore.fit(runs, options(Resampling.CELL, 20), Replicates.IN_PROCESS, "t", null).laws()
                .transfer();
        LawsDocument.Transfer.Metrics m = t.byBudget().values().iterator().next().byParameterization().get("muP");
        assertEquals(2.0, m.lInf(), 1e-3, "the floor itself is fitted");
        assertFalse(m.asymptoticPenalty().identified(), m.asymptoticPenalty().toString());
        assertTrue(m.asymptoticPenalty().unidentified().contains("only this one has a floor"));
        assertEquals(0, m.etaSlope().value(), 1e-9, "eta_opt is the same at every width");
    }
}
