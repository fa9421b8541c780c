package dev.proxylaw.trainer.metrics;

/**
 * The outcome of one run attempt, everything the {@code runs} dataset needs besides the config.
 *
 * @param divergedStep the step at which divergence was detected, or null
 * @param finalLoss train loss of the last completed step
 * @param finalValLoss validation loss at the end (null if diverged before any evaluation)
 * @param error the error message of a FAILED run, else null
 */
public record RunResult(String runId, String configJson, RunStatus status, Long divergedStep, long steps, long tokens,
                        double finalLoss, Double finalValLoss, double wallSeconds, ModelStats stats, double mN,
                        double mL, double alpha, String tokenizer, int vocab, String device, String codeVersion,
                        String error) {
}
