package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;

/**
 * The Step Law fit exactly as science.md section 2 (Li et al. 2025): per (N, D) cell keep every run
 * within the band (0.25%) of the cell's best smooth loss, fit ln lr on (ln N, ln D) and ln B_tokens on
 * ln D by OLS over ALL kept runs (not one optimum per cell: the plateau's spread is the data), then
 * bootstrap by resampling the kept runs with replacement.
 */
public final class StepLawFit {
    private StepLawFit() {
    }

    /**
     * @param point          OLS on all kept runs; the intervals' {@code point}
     * @param lrFit          the lr regression on all kept runs (R^2, residual RMS in ln lr)
     * @param batchFit       the batch regression on all kept runs (residual RMS in ln B)
     * @param replicatesUsed replicates that were not degenerate (a resample with a single D cannot fit kD)
     */
    public record Result(int cells, int kept, List<String> allDivergedCells, StepLawCoefficients point,
                         Interval c0, Interval cN, Interval cD, Interval k0, Interval kD,
                         LinearFit lrFit, LinearFit batchFit, int replicates, int replicatesUsed) {
        public Result {
            allDivergedCells = List.copyOf(allDivergedCells);
        }

        @Override
        public String toString() {
            return String.format("Step Law fit: %d cells, %d kept runs, %d/%d bootstrap replicates%n"
                    + "  ln lr = c0 + cN ln N + cD ln D   (R^2 %.3f, rms %.3f)%n    c0 %s%n    cN %s%n    cD %s%n"
                    + "  ln B_tokens = k0 + kD ln D       (R^2 %.3f, rms %.3f)%n    k0 %s%n    kD %s",
                cells, kept, replicatesUsed, replicates, lrFit.rSquared(), lrFit.residualRms(), c0, cN, cD,
                batchFit.rSquared(), batchFit.residualRms(), k0, kD);
        }
    }

    /** The plateau runs of every cell: completed runs within {@code band} of their cell's best loss. */
    public static List<RunPoint> keepNearOptimal(List<RunPoint> runs, double band) {
        List<RunPoint> kept = new ArrayList<>();
        for (CellOptimum c : CellOptimum.byCell(runs, band)) {
            kept.addAll(c.nearOptimal());
        }
        return kept;
    }

    /** OLS on the given kept runs, or {@link StepLawCoefficients#DEGENERATE} when they cannot pin a coefficient. */
    public static StepLawCoefficients fitKept(List<RunPoint> kept) {
        LinearFit lr = lrRegression(kept);
        LinearFit b = batchRegression(kept);
        if (lr == null || b == null) {
            return StepLawCoefficients.DEGENERATE;
        }
        return new StepLawCoefficients(lr.beta()[0], lr.beta()[1], lr.beta()[2], b.beta()[0], b.beta()[1]);
    }

    /** ln lr on (ln N, ln D); null when degenerate. */
    public static LinearFit lrRegression(List<RunPoint> kept) {
        double[][] x = new double[kept.size()][];
        double[] y = new double[kept.size()];
        for (int i = 0; i < x.length; i++) {
            RunPoint r = kept.get(i);
            x[i] = new double[] {Math.log(r.n()), Math.log(r.d())};
            y[i] = Math.log(r.lr());
        }
        return LinearFit.ols(x, y);
    }

    /** ln B_tokens on ln D (no N term, as the paper); null when degenerate. */
    public static LinearFit batchRegression(List<RunPoint> kept) {
        double[][] x = new double[kept.size()][];
        double[] y = new double[kept.size()];
        for (int i = 0; i < x.length; i++) {
            RunPoint r = kept.get(i);
            x[i] = new double[] {Math.log(r.d())};
            y[i] = Math.log(r.batchTokens());
        }
        return LinearFit.ols(x, y);
    }

    /** One bootstrap replicate: a pure function of its arguments, so it can run as a Spark task. */
    public static StepLawCoefficients replicate(List<RunPoint> kept, long seed, int replicate) {
        int[] idx = Bootstrap.resample(kept.size(), seed, replicate);
        List<RunPoint> sample = new ArrayList<>(idx.length);
        for (int i : idx) {
            sample.add(kept.get(i));
        }
        return fitKept(sample);
    }

    public static Result fit(List<RunPoint> runs, double band, int replicates, long seed) {
        List<CellOptimum> cells = CellOptimum.byCell(runs, band);
        List<RunPoint> kept = new ArrayList<>();
        List<String> allDiverged = new ArrayList<>();
        for (CellOptimum c : cells) {
            kept.addAll(c.nearOptimal());
            if (c.allDiverged()) {
                allDiverged.add(c.cell());
            }
        }
        StepLawCoefficients point = fitKept(kept);
        if (!point.finite()) {
            throw new IllegalArgumentException("Cannot fit the Step Law: the " + kept.size() + " kept runs from "
                + cells.size() + " cells do not span at least two N and two D. Add cells at other scales.");
        }
        List<StepLawCoefficients> reps = new ArrayList<>(replicates);
        for (int i = 0; i < replicates; i++) {
            reps.add(replicate(kept, seed, i));
        }
        return summarise(cells.size(), kept, allDiverged, point, reps);
    }

    /** Joins replicates computed anywhere (here, or as Spark tasks) into the reported intervals. */
    public static Result summarise(int cells, List<RunPoint> kept, List<String> allDivergedCells,
                                   StepLawCoefficients point, List<StepLawCoefficients> reps) {
        int r = reps.size();
        double[][] cols = new double[5][r];
        int used = 0;
        for (int i = 0; i < r; i++) {
            StepLawCoefficients c = reps.get(i);
            cols[0][i] = c.c0();
            cols[1][i] = c.cN();
            cols[2][i] = c.cD();
            cols[3][i] = c.k0();
            cols[4][i] = c.kD();
            used += c.finite() ? 1 : 0;
        }
        return new Result(cells, kept.size(), allDivergedCells, point,
            Bootstrap.interval(point.c0(), cols[0]), Bootstrap.interval(point.cN(), cols[1]),
            Bootstrap.interval(point.cD(), cols[2]), Bootstrap.interval(point.k0(), cols[3]),
            Bootstrap.interval(point.kD(), cols[4]), lrRegression(kept), batchRegression(kept), r, used);
    }
}
