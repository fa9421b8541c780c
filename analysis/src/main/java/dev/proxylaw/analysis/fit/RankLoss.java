package dev.proxylaw.analysis.fit;

/**
 * The loss runs are ranked on. The Step Law's smoothed final train loss is the paper's procedure; at proxy
 * scale, where a run logs a few hundred points of a few thousand tokens each, the final loss on the fixed
 * held-out windows (the same for every run of a batch size) can be the less noisy estimate. laws.json records
 * which one ranked the runs.
 */
public enum RankLoss {
    SMOOTHED("smoothed final train cross-entropy (Step Law)"),
    VAL("final validation cross-entropy");

    private final String description;

    RankLoss(String description) {
        this.description = description;
    }

    public String describe() {
        return description;
    }
}
