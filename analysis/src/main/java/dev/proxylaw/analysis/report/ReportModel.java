package dev.proxylaw.analysis.report;

import dev.proxylaw.analysis.fit.Interval;
import dev.proxylaw.analysis.fit.StepLawCoefficients;
import java.util.List;
import java.util.Map;

/**
 * What the report draws, as plain values read from a sweep's tables (runs/, steps/) and its fit
 * (cells/, points/, laws.json). NaN stands for a value the dataset does not carry. No Spark here.
 */
public record ReportModel(String source, List<Cell> cells, List<Point> points, List<StepLaw> stepLaws,
                          List<Holdout> holdouts, List<Power> powers, List<Run> runs, List<Curve> curves,
                          List<Activation> activations, Map<String, List<String>> notes, String rankedOn) {
    public ReportModel {
        cells = List.copyOf(cells);
        points = List.copyOf(points);
        stepLaws = List.copyOf(stepLaws);
        holdouts = List.copyOf(holdouts);
        powers = List.copyOf(powers);
        runs = List.copyOf(runs);
        curves = List.copyOf(curves);
        activations = List.copyOf(activations);
        notes = Map.copyOf(notes);
    }

    /** A row of cells/: one (family, N, D) cell's optimum. */
    public record Cell(String family, String cell, double n, double d, int runs, int diverged, int failed,
                       boolean allDiverged, double lrOpt, double batchTokensOpt, double bestLoss, boolean edge,
                       double lrSensitivity, double width, double depth, double seqLen) {
    }

    /** A row of points/: one run as the fit saw it; loss is NaN for a diverged run. */
    public record Point(String family, String cell, double n, double d, double lr, double batchTokens, double loss,
                        String status, boolean nearOptimal, boolean best, double width, double depth) {
        public boolean diverged() {
            return !"COMPLETED".equals(status);
        }
    }

    /** A family's Step Law from laws.json: ln lr = c0 + cN ln N + cD ln D; ln B = k0 + kD ln D. */
    public record StepLaw(String family, Interval c0, Interval cN, Interval cD, Interval k0, Interval kD,
                          List<double[]> replicates, int cells, int keptRuns) {
        public StepLawCoefficients point() {
            return new StepLawCoefficients(c0.point(), cN.point(), cD.point(), k0.point(), kD.point());
        }

        public double lr(double n, double d) {
            return point().predictLr(n, d);
        }

        public double batchTokens(double d) {
            return point().predictBatchTokens(d);
        }
    }

    /** The held-out check: the largest N predicted from the rest. */
    public record Holdout(String family, double heldOutN, double meanRelativeError, List<Check> checks) {
        public record Check(double n, double d, double lrPred, double batchTokensPred, double relativeError) {
        }
    }

    /** A family's Power-scheduler constants, pooled and per size ("N=..."). */
    public record Power(String family, Interval lnA, Interval b, Map<String, Interval[]> bySize, boolean sizesAgree) {
    }

    /** One attempt in runs/: times in seconds since the sweep's first start. */
    public record Run(String runId, String shape, String status, int attempt, double lr, double startS, double endS) {
    }

    /** A training curve, downsampled: train loss against step. */
    public record Curve(String runId, String group, String label, String status, double lr, double[] step,
                        double[] loss) {
    }

    /** Mean |activation| over a run's layers at one early step (the coordinate check). */
    public record Activation(String param, double width, double depth, double lr, int step, double meanAbs) {
    }
}
