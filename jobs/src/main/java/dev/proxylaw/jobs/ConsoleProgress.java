package dev.proxylaw.jobs;

import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.StepMetrics;
import dev.proxylaw.trainer.model.Group;
import java.io.PrintStream;

/** One progress line at most every {@code intervalSeconds}, plus every validation point. */
final class ConsoleProgress implements MetricsSink {
    private final PrintStream out;
    private final long totalSteps;
    private final double intervalSeconds;
    private final String prefix;
    private double lastPrinted = -1e9;

    ConsoleProgress(PrintStream out, long totalSteps, double intervalSeconds, String prefix) {
        this.out = out;
        this.totalSteps = totalSteps;
        this.intervalSeconds = intervalSeconds;
        this.prefix = prefix;
    }

    @Override
    public void step(StepMetrics m) {
        boolean last = m.step() == totalSteps - 1;
        if (m.wallSeconds() - lastPrinted < intervalSeconds && m.valLoss() == null && !last) {
            return;
        }
        lastPrinted = m.wallSeconds();
        out.printf("%sstep %d/%d  loss %.4f%s  lr %.2e  %,.0f tok/s  %.1fs%n", prefix, m.step() + 1, totalSteps, m.loss(),
                m.valLoss() == null ? "" : String.format("  val %.4f", m.valLoss()),
                m.lr()[Group.HIDDEN.ordinal()], m.tokensPerSecond(), m.wallSeconds());
    }

    @Override
    public void finish(RunResult r) {
        out.printf("%s%s after %d steps (%,d tokens, %.3g epochs, %.1fs): final loss %.4f%s%s%n", prefix, r.status(),
                r.steps(), r.tokens(), r.epochs(), r.wallSeconds(), r.finalLoss(),
                r.finalValLoss() == null ? "" : String.format(", val loss %.4f", r.finalValLoss()),
                r.error() == null ? "" : " (" + r.error() + ")");
    }
}
