package dev.proxylaw.analysis.fit.laws;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.proxylaw.analysis.fit.StepLawCoefficients;
import java.util.List;
import java.util.Map;

/**
 * laws.json as typed records: written by the fit, read back by predict, the report and the notebooks.
 * README.md ("Fitting laws") documents every key; {@link #SCHEMA_VERSION} changes when a key changes meaning.
 * A law the data did not allow is absent with the reason in {@code notes}; a coefficient it cannot identify
 * is a {@link Coefficient} with {@code unidentified} set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LawsDocument(int schemaVersion, String source, double band, int bootstraps, int surfaceBootstraps,
                           String resampling, long seed, String edgeRule, String rankedOn, Map<String, Family> families,
                           Transfer transfer) {
    public static final int SCHEMA_VERSION = 2;

    /**
     * One family's laws. shortName: the settings that set it apart from the other families, as the report's
     * legends print it ({@link dev.proxylaw.analysis.report.Families}); predict accepts it for --family.
     * fittedN, fittedD: [min, max] over the cells the laws stand on, for predict's range warning.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Family(String shortName, double[] fittedN, double[] fittedD, StepLaw stepLaw, Holdout holdout,
                         Power power, LossSurface lossSurface, MaxLogit maxLogit, Noise noise, List<String> notes) {
    }

    /**
     * The seed spread of the ranked loss where a (N, D, LR, batch) point repeats 3 or more seeds: each point's
     * sample standard deviation over its mean, their median and maximum, against the plateau band. When the
     * median spread exceeds the band, membership of the near-optimal set is decided by noise.
     */
    public record Noise(int points, int runs, double medianRelativeSd, double maxRelativeSd, double band,
                        boolean bandBelowNoise) {
        public String summary() {
            return String.format("seed noise: %d points with 3+ seeds (%d runs), relative sd of the loss median %.3f%%, "
                    + "max %.3f%%; band %.3f%%%s", points, runs, 100 * medianRelativeSd, 100 * maxRelativeSd, 100 * band,
                    bandBelowNoise ? ": the band is below the noise" : ": the band is above the noise");
        }
    }

    /** Fit quality of one regression, natural log units. */
    public record Quality(Double r2, Double residualRms) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepLaw(String form, int cells, int keptRuns, int edgeCells, String resampling,
                          @JsonProperty("c0") Coefficient c0, @JsonProperty("cN") Coefficient cN,
                          @JsonProperty("cD") Coefficient cD, @JsonProperty("k0") Coefficient k0,
                          @JsonProperty("kD") Coefficient kD, Quality lrFit, Quality batchFit, int replicatesUsed,
                          List<String> allDivergedCells, List<double[]> replicates) {
        /** The point estimate, for the one home of the formula ({@link StepLawCoefficients}). */
        public StepLawCoefficients point() {
            return new StepLawCoefficients(c0.value(), cN.value(), cD.value(), k0.value(), kD.value());
        }
    }

    public record Holdout(double heldOutN, Double meanRelativeError, Double maxRelativeError, int cells,
                          List<Check> checks) {
        public record Check(String cell, double n, double d, double lrPred, double batchTokensPred, double bestLoss,
                            Double relativeError) {
        }
    }

    /**
     * The Power scheduler: ln(eta_opt / B_sequences) = ln a + b ln D over optima per (N, D, batch).
     * batchFlat: whether eta_opt / B is flat across B at fixed (N, D) by {@code batchFlatTest}; null with
     * batchSlope unidentified when no (N, D) was swept at two or more batches. sizesAgree: whether every
     * size's b lies within {@code sizesTolerance} of every other's; null with fewer than two sizes fitted.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Power(String form, int points, int edgePoints, @JsonProperty("ln_a") Coefficient lnA, Coefficient b,
                        Coefficient batchSlope, Boolean batchFlat, String batchFlatTest, Boolean sizesAgree,
                        double sizesTolerance, Map<String, Size> bySize, int replicatesUsed) {
        public record Size(double n, int points, @JsonProperty("ln_a") Coefficient lnA, Coefficient b) {
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LossSurface(String form, int cells, int edgeCells, @JsonProperty("E") Coefficient e,
                              @JsonProperty("A") Coefficient a, Coefficient alpha, @JsonProperty("B") Coefficient b,
                              Coefficient beta, Double logRms, int replicatesUsed) {
    }

    /** Per LR: slope of ln(block-0 max logit) on ln N and the N where it reaches threshold, with an interval. */
    public record MaxLogit(String form, double threshold, List<Line> byLr, List<Double> unfitLrs) {
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public record Line(double lr, int points, Coefficient slope, Double r2, Coefficient nCross,
                           boolean alreadyCrossed) {
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Transfer(String axis, Map<String, Budget> byBudget, List<String> skipped) {
        public record Budget(Map<String, Metrics> byParameterization) {
        }

        /** Kalra and Barkeshli's three metrics for one family at one budget; intervals from runs resampled in each cell. */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public record Metrics(Coefficient etaSlope, Double etaFitResidualRms, Double etaFitR2, Integer etaFitPoints,
                              Double extrapolationScale, Coefficient extrapolationCost, Boolean extrapolationClamped,
                              Double lInf, Coefficient asymptoticPenalty) {
        }
    }
}
