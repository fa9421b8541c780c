package dev.proxylaw.trainer;

import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.config.TrainConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.ModelStats;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.RunStatus;
import dev.proxylaw.trainer.metrics.StepMetrics;
import dev.proxylaw.trainer.model.Gpt;
import dev.proxylaw.trainer.model.Group;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.optim.AdamW;
import dev.proxylaw.trainer.schedule.Schedule;
import java.util.Arrays;

/**
 * One run's way through the training loop, whether it trains alone ({@link Trainer}) or in a pack
 * ({@link PackTrainer}): the schedule, the divergence rule, the evaluation cadence, what is logged and
 * when, and how the run ends. Both loops call it in the same order (lr, observe, wantsEval, log, advance),
 * so a packed member's rows are a solo run's rows.
 */
final class RunTrack {
    private final RunConfig cfg;
    private final TrainConfig train;
    private final MetricsSink sink;
    private final Schedule.Horizon horizon;
    private final long totalSteps;
    private final long start;
    private long step;
    private long tokens;
    private double initialLoss = Double.NaN;
    private double smoothed = Double.NaN;
    private double lastLoss = Double.NaN;
    private Double lastVal;
    private boolean diverged;
    private boolean ended;
    private RunStatus status = RunStatus.COMPLETED;
    private Long divergedStep;
    private String error;
    private double endSeconds = Double.NaN;

    /** {@code startNanos}: when the loop began, the origin of every wall time. */
    RunTrack(RunConfig cfg, MetricsSink sink, long startNanos) {
        this.cfg = cfg;
        this.train = cfg.train();
        this.sink = sink;
        this.horizon = cfg.horizon();
        this.totalSteps = horizon.totalSteps();
        this.start = startNanos;
        this.ended = totalSteps <= 0;
    }

    RunConfig config() {
        return cfg;
    }

    long step() {
        return step;
    }

    boolean ended() {
        return ended;
    }

    double peak() {
        return cfg.optim().lr();
    }

    double clip() {
        return cfg.optim().gradClip();
    }

    /** The base LR of the coming step. */
    double lr() {
        return cfg.schedule().lr(peak(), step, tokens, horizon);
    }

    /** Takes the step's loss (before its update) and what the update did; null stats when it was skipped. */
    void observe(double loss, AdamW.StepStats st) {
        tokens += horizon.tokensPerStep();
        lastLoss = loss;
        if (step == 0) {
            initialLoss = loss;
            smoothed = loss;
        }
        smoothed = 0.9 * smoothed + 0.1 * loss;
        diverged = !Double.isFinite(loss) || st == null || !Double.isFinite(st.gradNorm())
                || smoothed > train.divergeFactor() * initialLoss;
    }

    private boolean last() {
        return step == totalSteps - 1;
    }

    /** Whether this step is evaluated: at the token cadence and at the last step, never once diverged. */
    boolean wantsEval() {
        long every = train.evalEveryTokens();
        boolean cadence = every > 0 && tokens / every != (tokens - horizon.tokensPerStep()) / every;
        return !diverged && (cadence || last());
    }

    /** Writes the step's row when the cadence, the last step, divergence or an evaluation asks for it. */
    void log(Gpt.Diagnostics d, AdamW.StepStats st, Double val) {
        if (val != null) {
            lastVal = val;
        }
        if (step % train.logEvery() == 0 || last() || diverged || val != null) {
            double wall = seconds();
            sink.step(new StepMetrics(step, tokens, st == null ? nan() : st.lr(), d.loss(), d.ce(), d.zLoss(),
                    st == null ? Double.NaN : st.gradNorm(), st != null && st.clipped(),
                    st == null ? nan() : st.updateRms(), st == null ? nan() : st.paramRms(), d.maxAttnLogit(),
                    d.actAbsMean(), d.logitMean(), d.logZMean(), wall, tokens / wall, val));
        }
    }

    /** Moves past the step; the run ends when it diverged or that was its last step. */
    void advance() {
        if (diverged) {
            status = RunStatus.DIVERGED;
            divergedStep = step;
        }
        step++;
        if (diverged || step >= totalSteps) {
            end();
        }
    }

    /** Ends a run still going after the time limit as FAILED. */
    void timeout(double timeoutSeconds) {
        status = RunStatus.FAILED;
        error = String.format("timeout: still training after %.0f s at step %d of %d", timeoutSeconds, step, totalSteps);
        end();
    }

    /** Ends the run FAILED with the error that stopped its loop. */
    void fail(Throwable e) {
        status = RunStatus.FAILED;
        error = e.getClass().getSimpleName() + ": " + e.getMessage();
        end();
    }

    private void end() {
        ended = true;
        endSeconds = seconds();
    }

    private double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** The run's result, handed to its sink once; {@code trainSplitTokens} gives its epochs. */
    RunResult finish(ModelStats stats, Parameterization pz, String tokenizer, int vocab, String device,
                     long trainSplitTokens) {
        RunResult result = result(stats, pz, tokenizer, vocab, device, trainSplitTokens);
        sink.finish(result);
        return result;
    }

    /** The run's result, not yet handed to its sink (see {@link #commit}). */
    RunResult result(ModelStats stats, Parameterization pz, String tokenizer, int vocab, String device,
                     long trainSplitTokens) {
        double wall = Double.isNaN(endSeconds) ? seconds() : endSeconds;
        RunResult result = new RunResult(cfg.id(), ConfigIo.canonicalJson(cfg), status, divergedStep, step, tokens,
                trainSplitTokens, lastLoss, lastVal, wall, stats, pz.mN(), pz.mL(), pz.alpha(), tokenizer, vocab, device,
                Trainer.CODE_VERSION, error);
        return result;
    }

    /** Hands the result to the sink, which writes (and commits) the run's rows. */
    void commit(RunResult result) {
        sink.finish(result);
    }

    /** Per-group values of a step whose update was skipped (non-finite loss). */
    private static double[] nan() {
        double[] a = new double[Group.values().length];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
