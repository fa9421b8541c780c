package dev.proxylaw.trainer.config;

import static dev.proxylaw.trainer.config.ConfigException.orDefault;
import static dev.proxylaw.trainer.config.ConfigException.require;

/**
 * Length and bookkeeping of a run. Give exactly one of {@code steps} and {@code tokens}; tokens are
 * rounded up to whole steps of batch_size * seq_len.
 *
 * @param batchSize sequences per step
 * @param evalEveryTokens validation cadence in tokens; 0 evaluates only at the end
 * @param divergeFactor DIVERGED once the smoothed train loss exceeds this multiple of the initial loss
 * @param dtype {@code float32} (default) or {@code float64}
 */
public record TrainConfig(Integer batchSize, Long steps, Long tokens, Integer logEvery, Long evalEveryTokens,
                          Integer evalBatches, Double divergeFactor, String dtype) {
    public TrainConfig {
        batchSize = orDefault(batchSize, 16);
        logEvery = orDefault(logEvery, 1);
        evalEveryTokens = orDefault(evalEveryTokens, 0L);
        evalBatches = orDefault(evalBatches, 4);
        divergeFactor = orDefault(divergeFactor, 1.5);
        dtype = orDefault(dtype, "float32");
        require(batchSize > 0, "Cannot use train.batch_size=" + batchSize + ": it must be positive.");
        require(steps == null || tokens == null, "Cannot use both train.steps and train.tokens: give one of them.");
        require(steps != null || tokens != null, "Cannot run without a length: set train.steps or train.tokens.");
        require(steps == null || steps > 0, "Cannot use train.steps=" + steps + ": it must be positive.");
        require(tokens == null || tokens > 0, "Cannot use train.tokens=" + tokens + ": it must be positive.");
        require(logEvery > 0, "Cannot use train.log_every=" + logEvery + ": it must be positive.");
        require(evalEveryTokens >= 0, "Cannot use train.eval_every_tokens=" + evalEveryTokens + ": it must be >= 0.");
        require(evalBatches > 0, "Cannot use train.eval_batches=" + evalBatches + ": it must be positive.");
        require(divergeFactor > 1, "Cannot use train.diverge_factor=" + divergeFactor + ": it must exceed 1.");
        require(dtype.equals("float32") || dtype.equals("float64"),
                "Cannot use train.dtype='" + dtype + "': use float32 or float64.");
    }

    /** Total optimizer steps for sequences of {@code seqLen} tokens. */
    public long totalSteps(int seqLen) {
        if (steps != null) {
            return steps;
        }
        long perStep = (long) batchSize * seqLen;
        return (tokens + perStep - 1) / perStep;
    }
}
