package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** Runs generated from a known eta_opt(N, D, B), pushed through the whole fit core and fitted back. */
class PowerSchedulerFitTest {
    static final double A = 4;
    static final double B = -0.51;
    static final int SEQ_LEN = 1024;
    static final double[] SIZES = {1e8, 3e8, 1e9};
    static final double[] DS = {2e9, 8e9, 3.2e10, 1.28e11};
    static final double[] BATCH_SEQS = {64, 128, 256};

    /** eta(size, d, batch in sequences); within each (N, D) cell an LR ladder per batch, loss quadratic in ln lr. */
    static List<RunRecord> runs(EtaOpt eta, double[] batches, long seed) {
        Random rng = new Random(seed);
        List<RunRecord> out = new ArrayList<>();
        for (double n : SIZES) {
            for (double d : DS) {
                for (double bs : batches) {
                    double e = eta.at(n, d, bs);
                    for (int k = 0; k <= 26; k++) {
                        double lr = 3e-5 * Math.pow(2, k / 2.0);
                        double u = Math.log(lr / e);
                        boolean diverged = u > 1.5;
                        out.add(new RunRecord("power", n, d, lr, bs * SEQ_LEN, SEQ_LEN,
                                diverged ? Double.NaN : 3 + 0.05 * u * u + 2e-4 * rng.nextGaussian(),
                                diverged ? RunStatus.DIVERGED : RunStatus.COMPLETED, Double.NaN, Double.NaN, Double.NaN,
                                Double.NaN));
                    }
                }
            }
        }
        return out;
    }

    interface EtaOpt {
        double at(double n, double d, double batchSequences);
    }

    static LawsDocument.Power power(List<RunRecord> runs) {
        FitCore.Options o = new FitCore.Options(0.0025, 200, 20, 3, Resampling.CELL, EdgeRule.EXCLUDE);
        return FitCore.fit(runs, o, Replicates.IN_PROCESS, "test", null).laws().families().get("power").power();
    }

    @Test
    void recoversAAndBAndFindsBatchFlatWhereItHolds() {
        LawsDocument.Power p = power(runs((n, d, bs) -> A * bs * Math.pow(d, B), BATCH_SEQS, 1));
        System.out.println("Power fit pooled: ln a " + p.lnA() + ", b " + p.b() + ", batch slope " + p.batchSlope());
        assertEquals(B, p.b().value(), 0.05);
        assertEquals(A, Math.exp(p.lnA().value()), 0.15 * A);
        assertTrue(p.b().interval().contains(B) || Math.abs(p.b().value() - B) < 0.01, p.b().toString());
        assertEquals(SIZES.length * DS.length * BATCH_SEQS.length, p.points(), "one optimum per (N, D, batch)");
        assertEquals(Boolean.TRUE, p.batchFlat(), p.batchSlope().toString());
        assertEquals(Boolean.TRUE, p.sizesAgree());
        assertEquals(List.of("N=1.000e+08", "N=3.000e+08", "N=1.000e+09"), List.copyOf(p.bySize().keySet()),
                "sizes in numeric order");
    }

    @Test
    void batchFlatIsFalseWhereEtaOptIgnoresBatch() {
        // eta_opt does not move with B: eta_opt / B falls as 1/B, the law's claim fails
        LawsDocument.Power p = power(runs((n, d, bs) -> A * 128 * Math.pow(d, B), BATCH_SEQS, 2));
        assertEquals(Boolean.FALSE, p.batchFlat(), p.batchSlope().toString());
        assertEquals(-1, p.batchSlope().value(), 0.1);
    }

    @Test
    void flagsSizesWhoseExponentDiffers() {
        DoubleUnaryOperator b = n -> n < 2e8 ? -0.4 : n < 5e8 ? -0.5 : -0.6;
        LawsDocument.Power p = power(runs((n, d, bs) -> A * bs * Math.pow(d, b.applyAsDouble(n)), BATCH_SEQS, 3));
        assertEquals(Boolean.FALSE, p.sizesAgree());
        assertEquals(-0.4, p.bySize().get("N=1.000e+08").b().value(), 0.05);
        assertEquals(-0.6, p.bySize().get("N=1.000e+09").b().value(), 0.05);
    }

    @Test
    void oneBatchLeavesFlatnessUnidentified() {
        LawsDocument.Power p = power(runs((n, d, bs) -> A * bs * Math.pow(d, B), new double[] {128}, 4));
        assertNull(p.batchFlat());
        assertFalse(p.batchSlope().identified());
        assertEquals(B, p.b().value(), 0.05);
    }

    @Test
    void twoBudgetsPerSizeGiveNoPerSizeIntervalAndNoAgreementVerdict() {
        List<RunRecord> two = runs((n, d, bs) -> A * bs * Math.pow(d, B), BATCH_SEQS, 5).stream()
                .filter(r -> r.d() == DS[0] || r.d() == DS[2]).toList();
        LawsDocument.Power p = power(two);
        assertEquals(B, p.b().value(), 0.05, "the pooled b is fitted across sizes");
        for (LawsDocument.Power.Size s : p.bySize().values()) {
            assertFalse(s.b().identified(), s.b().toString());
            assertTrue(s.b().unidentified().contains("span 2 D"), s.b().unidentified());
        }
        assertNull(p.sizesAgree(), "no size has an interval to compare");
    }
}
