package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;

/**
 * Held-out validation of the Step Law, with the paper's headline metric L(predicted HPs)/L(best) - 1:
 * fit on every cell but those at the largest N, predict (lr, B) for the held-out cells, and read the
 * loss at the prediction from the measured run NEAREST to it in (ln lr, ln B_tokens), Euclidean, ties to
 * the lower loss. Nearest-neighbour rather than interpolation because the landscape is only measured on
 * a grid, diverged runs have no loss to interpolate, and it never invents a loss below the measured
 * ones; {@link CellCheck#logDistance()} says how far the prediction sat from that run.
 */
public final class StepLawHoldout {
    private StepLawHoldout() {
    }

    /** relativeError is +infinity when the nearest run diverged. */
    public record CellCheck(String cell, double n, double d, double lrPred, double batchTokensPred, RunPoint nearest,
                            double logDistance, double bestLoss, double relativeError) {
    }

    public record Result(double heldOutN, StepLawCoefficients fitted, List<CellCheck> cells, double meanRelativeError,
                         double maxRelativeError) {
        public Result {
            cells = List.copyOf(cells);
        }
    }

    public static Result leaveLargestNOut(List<RunPoint> runs, double band) {
        double maxN = runs.stream().mapToDouble(RunPoint::n).max().orElse(Double.NaN);
        List<RunPoint> train = runs.stream().filter(r -> r.n() < maxN).toList();
        List<RunPoint> test = runs.stream().filter(r -> r.n() == maxN).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("Cannot hold out the largest N: every run has N=" + maxN
                + ". Sweep at least three model sizes.");
        }
        StepLawCoefficients c = StepLawFit.fitKept(StepLawFit.keepNearOptimal(train, band));
        if (!c.finite()) {
            throw new IllegalArgumentException("Cannot hold out the largest N: the remaining cells do not span two N "
                + "and two D, so the law is not identified. Sweep more sizes or budgets.");
        }
        List<CellCheck> checks = new ArrayList<>();
        double sum = 0;
        double max = 0;
        for (CellOptimum cell : CellOptimum.byCell(test, band)) {
            if (cell.allDiverged()) {
                continue;
            }
            double lr = c.predictLr(cell.n(), cell.d());
            double b = c.predictBatchTokens(cell.d());
            if (!(lr > 0 && b > 0 && Double.isFinite(lr) && Double.isFinite(b))) {
                // e.g. D proportional to N in the remaining cells: ln N and ln D collinear, the law extrapolates wildly
                throw new IllegalArgumentException("Cannot hold out the largest N: the law fitted without it predicts lr="
                    + lr + ", batch=" + b + " tokens for cell " + cell.cell() + ". Sweep budgets that vary apart from N.");
            }
            RunPoint nearest = null;
            double dist = Double.POSITIVE_INFINITY;
            for (RunPoint r : test) {
                if (!r.cell().equals(cell.cell()) || r.status() == RunStatus.FAILED) {
                    continue;
                }
                double dx = Math.log(r.lr()) - Math.log(lr);
                double dy = Math.log(r.batchTokens()) - Math.log(b);
                double dd = Math.hypot(dx, dy);
                if (dd < dist || (dd == dist && r.rankLoss() < nearest.rankLoss())) {
                    nearest = r;
                    dist = dd;
                }
            }
            double rel = nearest.rankLoss() / cell.best().loss() - 1;
            checks.add(new CellCheck(cell.cell(), cell.n(), cell.d(), lr, b, nearest, dist, cell.best().loss(), rel));
            sum += rel;
            max = Math.max(max, rel);
        }
        return new Result(maxN, c, checks, checks.isEmpty() ? Double.NaN : sum / checks.size(), max);
    }
}
