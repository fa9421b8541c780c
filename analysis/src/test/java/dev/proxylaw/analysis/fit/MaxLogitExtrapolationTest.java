package dev.proxylaw.analysis.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Block-0 max logits generated as logit = K lr^P N^S(lr) with log-normal noise: the slope in N grows
 * with the LR, and is zero at the lowest LR, so the crossing of 1e4 has a known closed form per LR.
 */
class MaxLogitExtrapolationTest {
    static final double K = 5;
    static final double P = 0.5;
    static final double[] LRS = {1e-3, 3e-3, 1e-2, 3e-2};
    static final double[] NS = {1e6, 3e6, 1e7, 3e7, 1e8};

    static double slope(double lr) {
        return lr <= 1e-3 ? 0 : 0.3 + 0.1 * Math.log10(lr / 3e-3);
    }

    static double logit(double lr, double n) {
        return K * Math.pow(lr, P) * Math.pow(n, slope(lr));
    }

    /** N where the truth reaches the threshold: K lr^P N^s = T. */
    static double trueCross(double lr, double threshold) {
        return Math.exp((Math.log(threshold / (K * Math.pow(lr, P)))) / slope(lr));
    }

    static List<MaxLogitExtrapolation.Point> points(long seed, double lnSd) {
        Random rng = new Random(seed);
        List<MaxLogitExtrapolation.Point> out = new ArrayList<>();
        for (double lr : LRS) {
            for (double n : NS) {
                out.add(new MaxLogitExtrapolation.Point(lr, n, logit(lr, n) * Math.exp(lnSd * rng.nextGaussian())));
            }
        }
        return out;
    }

    @Test
    void exactDataGivesTheClosedFormCrossing() {
        MaxLogitExtrapolation.Result r = MaxLogitExtrapolation.fit(points(1, 0), MaxLogitExtrapolation.DEFAULT_THRESHOLD);
        assertEquals(LRS.length, r.fits().size());
        for (MaxLogitExtrapolation.LrFit f : r.fits()) {
            if (slope(f.lr()) == 0) {
                assertEquals(Double.POSITIVE_INFINITY, f.nCross(), "flat logit never crosses at lr " + f.lr());
            } else {
                assertEquals(slope(f.lr()), f.slope(), 1e-9);
                assertEquals(1, f.nCross() / trueCross(f.lr(), 1e4), 1e-6);
                assertEquals(1, f.rSquared(), 1e-9);
            }
            assertFalse(f.alreadyCrossed());
        }
    }

    @Test
    void noisyLogitsStillRankTheLrsThatCross() {
        // 10% log-normal noise on each logit: slopes within 0.05, crossings within a factor 3
        // (a slope error ds moves ln N_cross by about ds * ln N_cross / s)
        MaxLogitExtrapolation.Result r = MaxLogitExtrapolation.fit(points(2, 0.1), 1e4);
        for (MaxLogitExtrapolation.LrFit f : r.fits()) {
            System.out.printf("max logit lr %.0e: slope %.3f R^2 %.3f N_cross %.3e (true %.3e)%n", f.lr(), f.slope(),
                f.rSquared(), f.nCross(), slope(f.lr()) > 0 ? trueCross(f.lr(), 1e4) : Double.POSITIVE_INFINITY);
            assertEquals(slope(f.lr()), f.slope(), 0.05);
            if (f.lr() >= 1e-2) {
                assertEquals(0, Math.log(f.nCross() / trueCross(f.lr(), 1e4)), Math.log(3));
                assertTrue(f.rSquared() > 0.9, "R^2 " + f.rSquared());
            }
        }
        // a size halfway (in ln N) between the two highest LRs' true crossings: only the highest crosses by then
        double target = Math.sqrt(trueCross(3e-2, 1e4) * trueCross(1e-2, 1e4));
        assertEquals(List.of(3e-2), r.lrsCrossingBy(target));
        assertTrue(r.lrsCrossingBy(NS[NS.length - 1]).isEmpty(), "nothing crosses within the measured sizes");
    }

    @Test
    void singleSizeLrsAreReportedUnfitAndBadPointsRejected() {
        List<MaxLogitExtrapolation.Point> pts = new ArrayList<>(points(3, 0));
        pts.add(new MaxLogitExtrapolation.Point(1e-1, 1e7, 2e4));
        MaxLogitExtrapolation.Result r = MaxLogitExtrapolation.fit(pts, 1e4);
        assertEquals(List.of(1e-1), r.unfitLrs());
        assertThrows(IllegalArgumentException.class, () -> new MaxLogitExtrapolation.Point(1e-2, 1e7, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> MaxLogitExtrapolation.fit(pts, 0));
    }

    @Test
    void aMeasuredCrossingIsFlagged() {
        List<MaxLogitExtrapolation.Point> pts = List.of(new MaxLogitExtrapolation.Point(1e-2, 1e6, 1e3),
            new MaxLogitExtrapolation.Point(1e-2, 1e7, 1e4), new MaxLogitExtrapolation.Point(1e-2, 1e8, 1e5));
        MaxLogitExtrapolation.LrFit f = MaxLogitExtrapolation.fit(pts, 1e4).fits().get(0);
        assertTrue(f.alreadyCrossed());
        assertEquals(1e7, f.nCross(), 1e-3);
        assertEquals(1, f.slope(), 1e-12);
    }
}
