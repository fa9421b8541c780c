package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** Runs generated from eta_opt = a B D^b (B in sequences), pushed through the per-cell optima and fitted back. */
class PowerSchedulerFitTest {
    static final double A = 4;
    static final double B = -0.51;
    static final int SEQ_LEN = 1024;
    static final double[] SIZES = {1e8, 3e8, 1e9};
    static final double[] DS = {2e9, 8e9, 3.2e10, 1.28e11};
    static final double[] BATCH_SEQS = {64, 128, 256};

    /** One cell per (size, D, batch); within it an LR ladder with loss quadratic in ln lr around etaOpt. */
    static List<RunPoint> runs(DoubleUnaryOperator bOfSize, long seed) {
        Random rng = new Random(seed);
        List<RunPoint> out = new ArrayList<>();
        for (double n : SIZES) {
            for (double d : DS) {
                for (double bs : BATCH_SEQS) {
                    String cell = "N=" + n + ",D=" + d + ",B=" + bs;
                    double eta = A * bs * Math.pow(d, bOfSize.applyAsDouble(n));
                    for (int k = 0; k <= 26; k++) {
                        double lr = 3e-5 * Math.pow(2, k / 2.0);
                        double u = Math.log(lr / eta);
                        if (u > 1.5) {
                            out.add(RunPoint.diverged(cell, n, d, lr, bs * SEQ_LEN));
                        } else {
                            out.add(RunPoint.completed(cell, n, d, lr, bs * SEQ_LEN,
                                3 + 0.05 * u * u + 2e-4 * rng.nextGaussian()));
                        }
                    }
                }
            }
        }
        return out;
    }

    @Test
    void recoversAAndBPooledAndPerSize() {
        List<CellOptimum> optima = CellOptimum.byCell(runs(n -> B, 1), CellOptimum.DEFAULT_BAND);
        List<PowerSchedulerFit.Point> pts = PowerSchedulerFit.fromOptima(optima, SEQ_LEN);
        assertEquals(optima.size(), pts.size(), "every optimum is bracketed by the ladder");
        PowerSchedulerFit.Result fit = PowerSchedulerFit.fit(pts, 500, 3);
        System.out.println("Power fit pooled: ln a " + fit.pooled().lnA() + ", b " + fit.pooled().b());
        assertEquals(B, fit.pooled().b().point(), 0.05);
        assertEquals(A, Math.exp(fit.pooled().lnA().point()), 0.15 * A);
        assertTrue(fit.pooled().b().contains(B), "95% interval " + fit.pooled().b() + " holds the truth");
        assertEquals(SIZES.length, fit.bySize().size());
        for (PowerSchedulerFit.SizeFit s : fit.bySize()) {
            assertEquals(B, s.b().point(), 0.05, s.size());
        }
        assertTrue(fit.unfitSizes().isEmpty());
        assertTrue(fit.sizesAgree());
    }

    @Test
    void flagsSizesWhoseExponentDiffers() {
        // b moves from -0.4 to -0.6 across sizes: the law's size-independence claim fails and must be flagged
        List<RunPoint> runs = runs(n -> n < 2e8 ? -0.4 : n < 5e8 ? -0.5 : -0.6, 2);
        PowerSchedulerFit.Result fit = PowerSchedulerFit.fit(
            PowerSchedulerFit.fromOptima(CellOptimum.byCell(runs, 0.0025), SEQ_LEN), 300, 3);
        assertFalse(fit.sizesAgree());
        for (PowerSchedulerFit.SizeFit s : fit.bySize()) {
            double want = s.size().equals("N=" + 1e8) ? -0.4 : s.size().equals("N=" + 3e8) ? -0.5 : -0.6;
            assertEquals(want, s.b().point(), 0.05, s.size());
        }
    }

    @Test
    void edgeAndAllDivergedCellsAreNotOptima() {
        List<RunPoint> runs = new ArrayList<>(runs(n -> B, 4));
        runs.add(RunPoint.diverged("dead", 1e8, 2e9, 1e-2, 64 * SEQ_LEN));
        runs.add(RunPoint.completed("edge", 1e8, 2e9, 1e-4, 64 * SEQ_LEN, 3.0));
        runs.add(RunPoint.completed("edge", 1e8, 2e9, 2e-4, 64 * SEQ_LEN, 3.1));
        List<CellOptimum> optima = CellOptimum.byCell(runs, 0.0025);
        assertEquals(optima.size() - 2, PowerSchedulerFit.fromOptima(optima, SEQ_LEN).size());
    }

    @Test
    void aReplicateIsPure() {
        List<PowerSchedulerFit.Point> pts =
            PowerSchedulerFit.fromOptima(CellOptimum.byCell(runs(n -> B, 5), 0.0025), SEQ_LEN);
        assertEquals(List.of(PowerSchedulerFit.replicate(pts, 9, 4)[1]),
            List.of(PowerSchedulerFit.replicate(pts, 9, 4)[1]));
    }
}
