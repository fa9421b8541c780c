package dev.proxylaw.trainer;

import dev.proxylaw.datasets.BatchSampler;
import dev.proxylaw.datasets.TokenCorpus;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.ModelStats;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.RunStatus;
import dev.proxylaw.trainer.metrics.StepMetrics;
import dev.proxylaw.trainer.model.Gpt;
import dev.proxylaw.trainer.model.Group;
import dev.proxylaw.trainer.model.Param;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.optim.AdamW;
import dev.proxylaw.trainer.schedule.Schedule;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/** Trains one run. The loop in {@link #run} reads top to bottom: LR, forward+backward, clip+step, log, stop check. */
public final class Trainer {
    /** The git commit the trainer was built from ("+dirty" with uncommitted changes), recorded with every run. */
    public static final String CODE_VERSION = codeVersion();

    private final RunConfig cfg;
    private final TokenCorpus corpus;
    private final Gpt model;
    private final ModelStats stats;

    /** Builds the model and loads the data; bad config or data throws {@link ConfigException} before any step. */
    public Trainer(RunConfig cfg) {
        this.cfg = cfg;
        this.corpus = Corpora.load(cfg.data());
        ModelConfig m = cfg.model();
        if (m.vocab() != null && m.vocab() < corpus.vocabSize()) {
            throw new ConfigException("Cannot build model: model.vocab=" + m.vocab() + " is smaller than the "
                    + corpus.tokenizerId() + " tokenizer's " + corpus.vocabSize() + ". Remove model.vocab or raise it.");
        }
        ModelConfig sized = m.vocab() == null ? m.withVocab(corpus.vocabSize()) : m;
        DataType dtype = cfg.train().dtype().equals("float64") ? DataType.DOUBLE : DataType.FLOAT;
        Parameterization pz = Parameterization.of(sized, cfg.param(), cfg.optim());
        this.model = new Gpt(sized, pz, cfg.optim().zLoss(), dtype, cfg.seed());
        long total = 0;
        long embedding = 0;
        for (Param p : model.params().values()) {
            total += p.value().length();
            if (p.name().equals("wte") || p.name().equals("wpe") || p.name().equals("head")) {
                embedding += p.value().length();
            }
        }
        this.stats = ModelStats.of(sized, total - embedding, total);
        // fail before training if the corpus cannot feed this shape
        new BatchSampler(corpus, cfg.train().batchSize(), sized.seqLen(), cfg.seed());
    }

    public Gpt model() {
        return model;
    }

    public ModelStats stats() {
        return stats;
    }

    public RunResult run(MetricsSink sink) {
        return run(sink, 0);
    }

    /** Trains; a run still going after {@code timeoutSeconds} (0 = no limit) ends FAILED with a timeout error. */
    public RunResult run(MetricsSink sink, double timeoutSeconds) {
        var train = cfg.train();
        int seqLen = model.config().seqLen();
        BatchSampler sampler = new BatchSampler(corpus, train.batchSize(), seqLen, cfg.seed());
        AdamW opt = new AdamW(model.params().values(), model.parameterization(), cfg.optim().beta1(),
                cfg.optim().beta2(), cfg.optim().wdStyle().equals("independent"));
        Schedule.Horizon horizon = cfg.horizon();
        long totalSteps = horizon.totalSteps();
        double peak = cfg.optim().lr();
        long evalEvery = train.evalEveryTokens();

        long start = System.nanoTime();
        long tokens = 0;
        double initialLoss = Double.NaN;
        double smoothed = Double.NaN;
        double lastLoss = Double.NaN;
        Double lastVal = null;
        RunStatus status = RunStatus.COMPLETED;
        Long divergedStep = null;
        String error = null;
        long step = 0;
        try {
            for (; step < totalSteps; step++) {
                double lr = cfg.schedule().lr(peak, step, tokens, horizon);
                Gpt.Diagnostics d = model.forwardBackward(sampler.train(step));
                boolean finite = Double.isFinite(d.loss());
                AdamW.StepStats st = finite ? opt.step(lr, peak, cfg.optim().gradClip()) : null;
                tokens += horizon.tokensPerStep();
                lastLoss = d.loss();
                if (step == 0) {
                    initialLoss = d.loss();
                    smoothed = d.loss();
                }
                smoothed = 0.9 * smoothed + 0.1 * d.loss();
                boolean diverged = !finite || !Double.isFinite(st.gradNorm())
                        || smoothed > train.divergeFactor() * initialLoss;
                boolean last = step == totalSteps - 1;
                Double val = null;
                if (!diverged && ((evalEvery > 0 && crossed(tokens, horizon.tokensPerStep(), evalEvery)) || last)) {
                    val = validationLoss(sampler);
                    lastVal = val;
                }
                if (step % train.logEvery() == 0 || last || diverged || val != null) {
                    double wall = (System.nanoTime() - start) / 1e9;
                    sink.step(new StepMetrics(step, tokens, st == null ? nan() : st.lr(), d.loss(), d.ce(), d.zLoss(),
                            st == null ? Double.NaN : st.gradNorm(), st != null && st.clipped(),
                            st == null ? nan() : st.updateRms(), st == null ? nan() : st.paramRms(), d.maxAttnLogit(),
                            d.actAbsMean(), d.logitMean(), d.logZMean(), wall, tokens / wall, val));
                }
                if (diverged) {
                    status = RunStatus.DIVERGED;
                    divergedStep = step;
                    step++;
                    break;
                }
                if (timeoutSeconds > 0 && (System.nanoTime() - start) / 1e9 > timeoutSeconds && !last) {
                    status = RunStatus.FAILED;
                    error = String.format("timeout: still training after %.0f s at step %d of %d", timeoutSeconds,
                            step + 1, totalSteps);
                    step++;
                    break;
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            status = RunStatus.FAILED;
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        Parameterization pz = model.parameterization();
        RunResult result = new RunResult(cfg.id(), ConfigIo.canonicalJson(cfg), status, divergedStep, step, tokens,
                lastLoss, lastVal, (System.nanoTime() - start) / 1e9, stats, pz.mN(), pz.mL(), pz.alpha(),
                corpus.tokenizerId(), model.config().vocab(), NativeThreads.device(), CODE_VERSION, error);
        sink.finish(result);
        return result;
    }

    private static String codeVersion() {
        try (var in = Trainer.class.getResourceAsStream("/proxylaw-git.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String commit = p.getProperty("git.commit.id.abbrev", "");
                if (!commit.isEmpty()) {
                    return commit + ("true".equals(p.getProperty("git.dirty")) ? "+dirty" : "");
                }
            }
        } catch (java.io.IOException e) {
            // fall through: built outside a git checkout
        }
        return "unknown (built outside git)";
    }

    /** Mean loss over the fixed validation batches. */
    public double validationLoss(BatchSampler sampler) {
        int n = cfg.train().evalBatches();
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += model.evaluate(sampler.validation(k, n)).ce();
        }
        return sum / n;
    }

    /** True when the step that brought the count to {@code tokens} crossed a multiple of {@code every}. */
    private static boolean crossed(long tokens, long perStep, long every) {
        return tokens / every != (tokens - perStep) / every;
    }

    /** Per-group values of a step whose update was skipped (non-finite loss). */
    private static double[] nan() {
        double[] a = new double[Group.values().length];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
