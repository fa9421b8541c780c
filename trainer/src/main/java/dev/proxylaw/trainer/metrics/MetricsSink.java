package dev.proxylaw.trainer.metrics;

/** Where a run's rows go: Parquet, the console, a test's list. Called from the training thread. */
public interface MetricsSink {
    void step(StepMetrics m);

    /** The run ended (any status); called exactly once, after the last step. */
    default void finish(RunResult result) {
    }

    static MetricsSink tee(MetricsSink a, MetricsSink b) {
        return new MetricsSink() {
            @Override
            public void step(StepMetrics m) {
                a.step(m);
                b.step(m);
            }

            @Override
            public void finish(RunResult result) {
                a.finish(result);
                b.finish(result);
            }
        };
    }
}
