package dev.proxylaw.jobs.sweep;

import java.io.Serializable;

/**
 * What an executor reports back for one run attempt.
 *
 * @param status COMPLETED, DIVERGED, FAILED, or ALREADY (another attempt had committed it)
 */
public record RunOutcome(String runId, String label, int attempt, String status, long tokens, double wallSeconds,
                         Double finalValLoss, String error, String host) implements Serializable {
    public boolean terminal() {
        return status.equals("COMPLETED") || status.equals("DIVERGED") || status.equals("ALREADY");
    }
}
