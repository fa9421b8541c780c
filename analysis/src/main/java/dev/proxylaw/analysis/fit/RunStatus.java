package dev.proxylaw.analysis.fit;

/** The status a run ends in, as the runs/ dataset records it. */
public enum RunStatus {
    COMPLETED,
    /** Trained until the loss blew up: stays in the data, it marks the edge of the LR basin. */
    DIVERGED,
    /** Crashed for a reason unrelated to the hyperparameters: carries no information about them. */
    FAILED
}
