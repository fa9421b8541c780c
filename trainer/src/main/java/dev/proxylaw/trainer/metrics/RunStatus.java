package dev.proxylaw.trainer.metrics;

/** How a run ended. DIVERGED runs are results: they mark the edge of the LR basin. */
public enum RunStatus {
    COMPLETED,
    /** loss became NaN/inf or its smoothed value rose far above its start; training stopped early */
    DIVERGED,
    /** an error stopped the run; the message is kept */
    FAILED
}
