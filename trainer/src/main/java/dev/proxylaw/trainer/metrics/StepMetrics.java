package dev.proxylaw.trainer.metrics;

/**
 * One logged optimizer step. Arrays indexed by {@code Group} ordinal hold per-group values (NaN for a
 * group the model does not have); arrays indexed by layer hold per-block values.
 *
 * @param step 0-based optimizer step
 * @param tokens tokens trained on including this step (what schedules and laws use)
 * @param loss CE + z-loss of the step's batch before the update
 * @param maxAttnLogit largest pre-softmax attention logit per block (Wortsman: > 1e4 precedes divergence)
 * @param actAbsMean mean |residual stream| after each block (coordinate check)
 * @param valLoss validation loss when this step hit the evaluation cadence, else null
 */
public record StepMetrics(long step, long tokens, double[] lr, double loss, double ce, double zLoss, double gradNorm,
                          boolean clipped, double[] updateRms, double[] paramRms, double[] maxAttnLogit,
                          double[] actAbsMean, double logitMean, double logZMean, double wallSeconds,
                          double tokensPerSecond, Double valLoss) {
}
