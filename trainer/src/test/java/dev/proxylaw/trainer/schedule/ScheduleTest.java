package dev.proxylaw.trainer.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {
    static final Schedule.Horizon H = new Schedule.Horizon(100, 1000, 8);

    @Test
    void cosineWarmsUpLinearlyThenDecaysToAnAbsoluteFloor() {
        Schedule s = new Schedule.Cosine(10, 1e-5, null);
        assertEquals(0.1, s.lr(1.0, 0, 0, H), 1e-12);
        assertEquals(1.0, s.lr(1.0, 9, 0, H), 1e-12);
        assertEquals(1.0, s.lr(1.0, 10, 0, H), 1e-12);
        assertEquals(1e-5 + (1 - 1e-5) * 0.5, s.lr(1.0, 55, 0, H), 1e-12);   // halfway through the decay
        assertEquals(1e-5, s.lr(1.0, 100, 0, H), 1e-12);
        assertEquals(0.25, new Schedule.Cosine(0, null, 0.25).lr(1.0, 100, 0, H), 1e-12);
    }

    @Test
    void wsdHoldsThePeakThenDecaysInTheLastFraction() {
        Schedule s = new Schedule.Wsd(0, 0.2, DecayShape.LINEAR, 0.0);
        assertEquals(1.0, s.lr(1.0, 79, 0, H), 1e-12);
        assertEquals(1 - 1.0 / 20, s.lr(1.0, 80, 0, H), 1e-12);
        assertEquals(0.0, s.lr(1.0, 99, 0, H), 1e-12);
        for (DecayShape shape : DecayShape.values()) {
            assertEquals(1.0, shape.weight(0), 1e-12, shape.name());
            assertEquals(0.0, shape.weight(1), 1e-12, shape.name());
        }
        assertEquals(1 - Math.sqrt(0.25), DecayShape.ONE_MINUS_SQRT.weight(0.25), 1e-12);
    }

    @Test
    void powerSchedulerFollowsBatchTimesLawUnderTheCap() {
        Schedule.Power p = new Schedule.Power(4, -0.51, 0, 0.0);
        double cap = 0.02;
        // B a n^b below the cap once n > n* = (a B / eta_max)^(-1/b)
        double nStar = p.capReleaseTokens(cap, 8);
        assertEquals(cap, p.eta(cap, (long) (nStar / 2), H), 1e-15);
        long n = (long) (nStar * 4);
        assertEquals(8 * 4 * Math.pow(n, -0.51), p.lr(cap, 10, n, H), 1e-15);
        assertTrue(p.lr(cap, 10, n, H) < cap);
    }

    @Test
    void powerWarmupEndsAtTheLawsValueAndTheFinalDecayReachesZero() {
        Schedule.Power p = new Schedule.Power(4, -0.51, 10, 0.1);
        Schedule.Horizon h = new Schedule.Horizon(100, 1_000_000, 8);
        double atWarmupEnd = p.eta(0.02, 10 * 1_000_000L, h);
        assertEquals(atWarmupEnd / 10, p.lr(0.02, 0, 0, h), 1e-15);
        assertEquals(atWarmupEnd, p.lr(0.02, 9, 9_000_000, h), 1e-15);
        assertEquals(0.0, p.lr(0.02, 99, 99_000_000, h), 1e-15);
    }
}
