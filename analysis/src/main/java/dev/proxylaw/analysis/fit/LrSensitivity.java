package dev.proxylaw.analysis.fit;

import java.util.List;

/**
 * Wortsman et al.'s LR sensitivity (science.md section 4): the mean over the LR grid of
 * [min(L(eta), L0) - L*], with L0 the loss at init and L* the best loss on the grid. A diverged run
 * counts as L0 (the clip makes a blow-up cost "no learning", not infinity), so one divergence cannot
 * swamp the mean. FAILED runs measured nothing and are left out.
 */
public final class LrSensitivity {
    private LrSensitivity() {
    }

    /** @param curve one run per grid LR at otherwise fixed settings; @param initLoss L0, e.g. ln(vocab) */
    public static double of(List<RunPoint> curve, double initLoss) {
        if (!Double.isFinite(initLoss)) {
            throw new IllegalArgumentException("Cannot compute LR sensitivity: loss at init L0=" + initLoss
                + " is not finite. Pass the step-0 loss (about ln(vocab) for a fresh model).");
        }
        double best = Double.POSITIVE_INFINITY;
        double sum = 0;
        int count = 0;
        for (RunPoint r : curve) {
            if (r.status() == RunStatus.FAILED) {
                continue;
            }
            double l = Math.min(r.rankLoss(), initLoss);
            best = Math.min(best, l);
            sum += l;
            count++;
        }
        if (count == 0 || curve.stream().noneMatch(r -> r.status() == RunStatus.COMPLETED)) {
            throw new IllegalArgumentException("Cannot compute LR sensitivity: no completed run among " + curve.size()
                + " (L* is undefined). Lower the LR grid until at least one run completes.");
        }
        return sum / count - best;
    }
}
