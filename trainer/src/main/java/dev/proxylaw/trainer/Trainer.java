package dev.proxylaw.trainer;

import dev.proxylaw.datasets.BatchSampler;
import dev.proxylaw.datasets.TokenCorpus;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.ModelStats;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.model.Gpt;
import dev.proxylaw.trainer.model.Param;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.optim.AdamW;
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
        this(cfg, Corpora.load(cfg.data()));
    }

    /** With the run's corpus already loaded (a pack shares one per data section). */
    Trainer(RunConfig cfg, TokenCorpus corpus) {
        this.cfg = cfg;
        this.corpus = corpus;
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

    TokenCorpus corpus() {
        return corpus;
    }

    RunConfig config() {
        return cfg;
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
        BatchSampler sampler = new BatchSampler(corpus, cfg.train().batchSize(), model.config().seqLen(), cfg.seed());
        AdamW opt = new AdamW(model.params().values(), model.parameterization(), cfg.optim().beta1(),
                cfg.optim().beta2(), cfg.optim().wdStyle().equals("independent"));
        long start = System.nanoTime();
        RunTrack run = new RunTrack(cfg, sink, start);
        try {
            while (!run.ended()) {
                double lr = run.lr();
                Gpt.Diagnostics d = model.forwardBackward(sampler.train(run.step()));
                AdamW.StepStats st = Double.isFinite(d.loss()) ? opt.step(lr, run.peak(), run.clip()) : null;
                run.observe(d.loss(), st);
                run.log(d, st, run.wantsEval() ? validationLoss(sampler) : null);
                run.advance();
                if (!run.ended() && timeoutSeconds > 0 && (System.nanoTime() - start) / 1e9 > timeoutSeconds) {
                    run.timeout(timeoutSeconds);
                }
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            run.fail(e);
        }
        return run.finish(stats, model.parameterization(), corpus.tokenizerId(), model.config().vocab(), NativeThreads.device(),
                sampler.trainTokens());
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
}
