package dev.proxylaw.trainer.metrics;

/**
 * The outcome of one run attempt, everything the {@code runs} dataset needs besides the config.
 *
 * @param divergedStep the step at which divergence was detected, or null
 * @param trainSplitTokens tokens in the corpus' training split; batches are drawn from it with replacement
 * @param finalLoss train loss of the last completed step
 * @param finalValLoss validation loss at the end (null if diverged before any evaluation)
 * @param error the error message of a FAILED run, else null
 */
public record RunResult(String runId, String configJson, RunStatus status, Long divergedStep, long steps, long tokens,
                        long trainSplitTokens, double finalLoss, Double finalValLoss, double wallSeconds, ModelStats stats, double mN,
                        double mL, double alpha, String tokenizer, int vocab, String device, String codeVersion,
                        String error) {
    /** Passes over the training split that the trained tokens amount to: above 1, the run has seen data twice. */
    public double epochs() {
        return trainSplitTokens > 0 ? (double) tokens / trainSplitTokens : Double.NaN;
    }
}
