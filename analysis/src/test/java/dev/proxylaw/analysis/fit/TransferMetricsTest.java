package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * LR curves generated per (parameterization, width): loss = L_inf + A w^-ALPHA + C (ln lr - ln eta*(w))^2
 * + noise, diverging above e^1.5 eta*. muP's eta* is flat in width, SP's drifts as width^-1, and SP's
 * floor sits PENALTY above muP's.
 */
class TransferMetricsTest {
    static final double[] WIDTHS = {128, 256, 512, 1024, 2048};
    static final double C = 0.05;
    static final double A = 30;
    static final double ALPHA = 0.5;
    static final double MUP_FLOOR = 2.0;
    static final double PENALTY = 0.05;
    static final double MUP_ETA = 3e-3;
    static final DoubleUnaryOperator SP_ETA = w -> 0.8 / w;
    /** ln-lr spacing of the ladder, 2^(1/2) per step. */
    static final double H = Math.log(2) / 2;

    static TransferMetrics.Curve curve(String p, double w, double eta, double floor, Random rng, double noise) {
        Map<Double, Double> m = new TreeMap<>();
        for (int k = 0; k <= 24; k++) {
            double lr = 1e-4 * Math.pow(2, k / 2.0);
            double u = Math.log(lr / eta);
            m.put(lr, u > 1.5 ? Double.POSITIVE_INFINITY
                : floor + A * Math.pow(w, -ALPHA) + C * u * u + noise * rng.nextGaussian());
        }
        return new TransferMetrics.Curve(p, w, new TreeMap<>(m));
    }

    static List<TransferMetrics.Curve> curves(long seed, double noise, DoubleUnaryOperator spEta) {
        Random rng = new Random(seed);
        List<TransferMetrics.Curve> out = new ArrayList<>();
        for (double w : WIDTHS) {
            out.add(curve("muP", w, MUP_ETA, MUP_FLOOR, rng, noise));
            out.add(curve("SP", w, spEta.applyAsDouble(w), MUP_FLOOR + PENALTY, rng, noise));
        }
        return out;
    }

    static <T> T find(List<T> xs, java.util.function.Predicate<T> p) {
        return xs.stream().filter(p).findFirst().orElseThrow();
    }

    @Test
    void etaSlopeIsFlatForMuPAndMinusOneForSP() {
        TransferMetrics.Result r = TransferMetrics.of(curves(1, 5e-4, SP_ETA));
        TransferMetrics.EtaFit mup = find(r.etaFits(), f -> f.parameterization().equals("muP"));
        TransferMetrics.EtaFit sp = find(r.etaFits(), f -> f.parameterization().equals("SP"));
        System.out.printf("eta fits: muP slope %.4f rms %.4f R^2 %.3f; SP slope %.4f rms %.4f R^2 %.4f%n", mup.slope(),
            mup.residualRms(), mup.rSquared(), sp.slope(), sp.residualRms(), sp.rSquared());
        // parabola refinement under 5e-4 noise moves ln eta_opt by a few hundredths: slopes within 0.05
        assertEquals(0, mup.slope(), 0.05);
        assertEquals(-1, sp.slope(), 0.05);
        assertEquals(Math.log(MUP_ETA), mup.intercept(), 0.1);
        assertEquals(WIDTHS.length, sp.points());
        assertTrue(sp.rSquared() > 0.99, "SP R^2 " + sp.rSquared());
        assertTrue(mup.residualRms() < 0.1 && sp.residualRms() < 0.1);
        assertTrue(mup.edgeScales().isEmpty() && sp.edgeScales().isEmpty());
    }

    @Test
    void extrapolationCostIsTheInterpolationErrorWhenTheLawHolds() {
        TransferMetrics.Result r = TransferMetrics.of(curves(2, 0, SP_ETA));
        for (TransferMetrics.Extrapolation x : r.extrapolations()) {
            System.out.printf("extrapolation %s at %.0f: eta pred %.3e opt %.3e cost %.5f%n", x.parameterization(),
                x.heldOutScale(), x.etaPred(), x.etaOpt(), x.cost());
            assertEquals(2048, x.heldOutScale());
            assertFalse(x.clamped() || x.divergedBracket());
            assertEquals(1, x.etaPred() / x.etaOpt(), 0.01);
            // a linear reading of a quadratic overshoots by at most C h^2 / 4 between ladder points
            assertTrue(x.cost() >= 0 && x.cost() <= C * H * H / 4 + 1e-12, x.parameterization() + " cost " + x.cost());
        }
        assertEquals(2, r.extrapolations().size());
    }

    @Test
    void extrapolationCostMeasuresALawThatBendsAtTheLargestWidth() {
        // SP's optimum at the largest width is half what the width^-1 law predicts: the true cost is C (ln 2)^2
        TransferMetrics.Result r = TransferMetrics.of(curves(3, 0, w -> w < 2000 ? 0.8 / w : 0.4 / w));
        TransferMetrics.Extrapolation sp = find(r.extrapolations(), x -> x.parameterization().equals("SP"));
        double want = C * Math.log(2) * Math.log(2);
        System.out.printf("bent SP extrapolation cost %.5f (true %.5f)%n", sp.cost(), want);
        assertEquals(2, sp.etaPred() / sp.etaOpt(), 0.02);
        assertEquals(want, sp.cost(), C * H * H / 4);
    }

    @Test
    void asymptoticPenaltyRecoversTheFloorGap() {
        TransferMetrics.Result r = TransferMetrics.of(curves(4, 5e-4, SP_ETA));
        TransferMetrics.Asymptote mup = find(r.asymptotes(), a -> a.parameterization().equals("muP"));
        TransferMetrics.Asymptote sp = find(r.asymptotes(), a -> a.parameterization().equals("SP"));
        System.out.printf("asymptotes: muP L_inf %.4f alpha %.3f; SP L_inf %.4f alpha %.3f penalty %.4f%n", mup.lInf(),
            mup.alpha(), sp.lInf(), sp.alpha(), sp.penalty());
        // five widths and 5e-4 noise: floors within 0.03, exponents within 0.1, the gap within 0.03
        assertEquals(MUP_FLOOR, mup.lInf(), 0.03);
        assertEquals(MUP_FLOOR + PENALTY, sp.lInf(), 0.03);
        assertEquals(ALPHA, mup.alpha(), 0.1);
        assertEquals(ALPHA, sp.alpha(), 0.1);
        assertEquals(0, mup.penalty());
        assertEquals(PENALTY, sp.penalty(), 0.03);
        assertEquals(1, mup.a() / A, 0.3);
    }

    @Test
    void powerLawWithFloorIsExactOnExactData() {
        double[] s = {2, 4, 8, 16, 32};
        double[] l = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            l[i] = 1.5 + 3 * Math.pow(s[i], -0.8);
        }
        double[] f = TransferMetrics.powerLawWithFloor(s, l);
        assertEquals(1.5, f[0], 1e-6);
        assertEquals(3, f[1], 1e-5);
        assertEquals(0.8, f[2], 1e-6);
        assertTrue(Double.isNaN(TransferMetrics.powerLawWithFloor(new double[] {2, 4}, new double[] {3, 2})[0]));
    }

    @Test
    void depthIsJustAnotherScale() {
        // CompleteP: alpha = 1 keeps eta* flat in depth, alpha = 0 drifts as depth^-1
        Random rng = new Random(5);
        List<TransferMetrics.Curve> cs = new ArrayList<>();
        for (double depth : new double[] {2, 4, 8, 16}) {
            cs.add(curve("alpha=1", depth, MUP_ETA, MUP_FLOOR, rng, 0));
            cs.add(curve("alpha=0", depth, 2e-2 / depth, MUP_FLOOR, rng, 0));
        }
        TransferMetrics.Result r = TransferMetrics.of(cs);
        assertEquals(0, find(r.etaFits(), f -> f.parameterization().equals("alpha=1")).slope(), 1e-6);
        assertEquals(-1, find(r.etaFits(), f -> f.parameterization().equals("alpha=0")).slope(), 1e-6);
    }

    @Test
    void readingsClampAndRefuseToInterpolateIntoDivergence() {
        TreeMap<Double, Double> m = new TreeMap<>(Map.of(1e-3, 3.0, 2e-3, 2.8, 4e-3, 2.9, 8e-3, Double.POSITIVE_INFINITY));
        TransferMetrics.Curve c = new TransferMetrics.Curve("SP", 512, m);
        // halfway in ln lr between 1e-3 and 2e-3
        TransferMetrics.Reading mid = TransferMetrics.lossAt(c, Math.sqrt(2) * 1e-3);
        assertEquals(2.9, mid.loss(), 1e-12);
        assertFalse(mid.clamped() || mid.divergedBracket());
        TransferMetrics.Reading low = TransferMetrics.lossAt(c, 1e-5);
        assertEquals(3.0, low.loss());
        assertTrue(low.clamped());
        TransferMetrics.Reading high = TransferMetrics.lossAt(c, 6e-3);
        assertEquals(Double.POSITIVE_INFINITY, high.loss());
        assertTrue(high.divergedBracket());
        assertTrue(TransferMetrics.lossAt(c, 1).clamped());
        // an optimum next to the ladder's end is an edge and stays out of the fits
        TreeMap<Double, Double> e = new TreeMap<>(Map.of(1e-3, 2.5, 2e-3, 2.8));
        assertTrue(TransferMetrics.optimum(new TransferMetrics.Curve("SP", 512, e)).edge());
        assertThrows(IllegalArgumentException.class, () -> new TransferMetrics.Curve("SP", 512,
            new TreeMap<>(Map.of(1e-3, Double.POSITIVE_INFINITY))));
    }

    @Test
    void curvesFromRunsCountDivergenceAndDropFailures() {
        List<RunPoint> runs = List.of(RunPoint.completed("w=256", 1e7, 1e9, 1e-3, 1 << 16, 3.1),
            RunPoint.completed("w=256", 1e7, 1e9, 1e-3, 1 << 16, 3.0), RunPoint.diverged("w=256", 1e7, 1e9, 1e-1, 1 << 16),
            new RunPoint("w=256", 1e7, 1e9, 1e-2, 1 << 16, Double.NaN, RunStatus.FAILED));
        TransferMetrics.Curve c = TransferMetrics.Curve.of("muP", 256, runs);
        assertEquals(2, c.lossByLr().size());
        assertEquals(3.0, c.lossByLr().get(1e-3));
        assertEquals(Double.POSITIVE_INFINITY, c.lossByLr().get(1e-1));
    }
}
