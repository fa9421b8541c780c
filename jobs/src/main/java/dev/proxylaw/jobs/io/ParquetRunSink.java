package dev.proxylaw.jobs.io;

import dev.proxylaw.analysis.Smoothing;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.RunStatus;
import dev.proxylaw.trainer.metrics.StepMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.MessageType;

/**
 * Collects one run's steps and commits them with the run's row when the run finishes, by the
 * {@link Ledger}'s protocol: written under {@code _temporary/}, renamed into place steps first, the runs
 * file renamed without overwriting, so a retried, speculative or zombie attempt can never add a second
 * row. A FAILED attempt is a runs row alone, kept with its error; its steps are dropped. The runs file
 * records its steps file's row count in its footer, so readers can verify the pair.
 */
public final class ParquetRunSink implements MetricsSink {
    private final Path out;
    private final Configuration conf;
    private final RunConfig cfg;
    private final String sweepId;
    private final int attempt;
    private final List<StepMetrics> steps = new ArrayList<>();
    private final List<Double> trainLoss = new ArrayList<>();
    private Path stepsFile;
    private Path runsFile;
    private boolean committed;

    public ParquetRunSink(Path out, Configuration conf, RunConfig cfg, String sweepId, int attempt) {
        this.out = out;
        this.conf = conf;
        this.cfg = cfg;
        this.sweepId = sweepId;
        this.attempt = attempt;
    }

    public static Path runsFile(Path out, String runId) {
        return Ledger.runsFile(out, runId);
    }

    public static Path stepsFile(Path out, String runId) {
        return Ledger.stepsFile(out, runId);
    }

    @Override
    public void step(StepMetrics m) {
        steps.add(m);
        trainLoss.add(m.loss());
    }

    @Override
    public void finish(RunResult r) {
        String uuid = UUID.randomUUID().toString().substring(0, 8);
        try {
            FileSystem fs = out.getFileSystem(conf);
            Path tmp = Ledger.temporary(out, r.runId(), uuid);
            fs.mkdirs(new Path(out, "runs"));
            fs.mkdirs(new Path(out, "steps"));
            try {
                Path tmpRuns = new Path(tmp, "runs.parquet");
                if (r.status() == RunStatus.FAILED) {
                    writeRun(tmpRuns, r, null);
                    runsFile = Ledger.commitFailed(out, conf, tmpRuns, r.runId(), attempt, uuid);
                    committed = true;
                    return;
                }
                Path tmpSteps = new Path(tmp, "steps.parquet");
                writeSteps(tmpSteps, r.runId());
                writeRun(tmpRuns, r, (long) steps.size());
                if (Ledger.commit(out, conf, tmpSteps, tmpRuns, r.runId())) {
                    stepsFile = Ledger.stepsFile(out, r.runId());
                    runsFile = Ledger.runsFile(out, r.runId());
                    committed = true;
                }
            } finally {
                // only this attempt's own folder: _temporary/ itself is shared with attempts writing now, and
                // removing it under them fails their writes; the driver tidies it once no task runs (tidy)
                fs.delete(tmp, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write run " + r.runId() + " to " + out + ": " + e.getMessage(), e);
        }
    }

    /** Removes an empty {@code _temporary/} when no attempt can be writing in it: after the last task, or a solo run. */
    public static void tidy(Path out, Configuration conf) {
        try {
            removeIfEmpty(out.getFileSystem(conf), new Path(out, "_temporary"));
        } catch (IOException e) {
            // nothing to tidy
        }
    }

    /** Non-recursive: a folder that is not empty stays. */
    private static void removeIfEmpty(FileSystem fs, Path dir) {
        try {
            if (fs.listStatus(dir).length == 0) {
                fs.delete(dir, false);
            }
        } catch (IOException e) {
            // another attempt is using it, or it is already gone: either is fine
        }
    }

    /** False when another attempt had already committed the same run. */
    public boolean committed() {
        return committed;
    }

    public Path stepsFile() {
        return stepsFile;
    }

    public Path runsFile() {
        return runsFile;
    }

    private ParquetWriter<Group> writer(Path file, MessageType schema, Map<String, String> meta) throws IOException {
        return ExampleParquetWriter.builder(file).withConf(conf).withType(schema).withExtraMetaData(meta)
                .withCompressionCodec(CompressionCodecName.SNAPPY).build();
    }

    private void writeSteps(Path file, String runId) throws IOException {
        SimpleGroupFactory f = new SimpleGroupFactory(Schemas.STEPS);
        try (ParquetWriter<Group> w = writer(file, Schemas.STEPS, Map.of())) {
            for (StepMetrics m : steps) {
                Group g = f.newGroup().append("run_id", runId).append("step", m.step()).append("tokens", m.tokens());
                for (dev.proxylaw.trainer.model.Group pg : dev.proxylaw.trainer.model.Group.values()) {
                    optional(g, "lr_" + pg.column(), m.lr()[pg.ordinal()]);
                }
                optional(g, "loss", m.loss());
                optional(g, "ce_loss", m.ce());
                optional(g, "z_loss", m.zLoss());
                optional(g, "grad_norm", m.gradNorm());
                g.append("clipped", m.clipped());
                for (dev.proxylaw.trainer.model.Group pg : dev.proxylaw.trainer.model.Group.values()) {
                    optional(g, "update_rms_" + pg.column(), m.updateRms()[pg.ordinal()]);
                }
                for (dev.proxylaw.trainer.model.Group pg : dev.proxylaw.trainer.model.Group.values()) {
                    optional(g, "param_rms_" + pg.column(), m.paramRms()[pg.ordinal()]);
                }
                list(g, "max_attn_logit", m.maxAttnLogit());
                list(g, "act_abs_mean", m.actAbsMean());
                g.append("logit_mean", m.logitMean()).append("log_z_mean", m.logZMean())
                        .append("wall_s", m.wallSeconds()).append("tokens_per_s", m.tokensPerSecond());
                if (m.valLoss() != null) {
                    g.append("val_loss", m.valLoss());
                }
                w.write(g);
            }
        }
    }

    /** {@code stepsRows}: the steps file's row count, recorded in the footer so that readers can verify it. */
    private void writeRun(Path file, RunResult r, Long stepsRows) throws IOException {
        double smoothed = Smoothing.smoothedFinal(trainLoss.stream().mapToDouble(Double::doubleValue).toArray());
        var m = cfg.model();
        var p = cfg.param();
        var o = cfg.optim();
        Group g = new SimpleGroupFactory(Schemas.RUNS).newGroup()
                .append("run_id", r.runId()).append("sweep_id", sweepId).append("name", cfg.name())
                .append("status", r.status().name()).append("attempt", attempt);
        if (r.divergedStep() != null) {
            g.append("diverged_step", r.divergedStep());
        }
        g.append("steps", r.steps()).append("tokens", r.tokens());
        optional(g, "epochs", r.epochs());
        optional(g, "final_loss", r.finalLoss());
        optional(g, "smoothed_loss", smoothed);
        if (r.finalValLoss() != null) {
            optional(g, "final_val_loss", r.finalValLoss());
        }
        g.append("wall_s", r.wallSeconds())
                .append("n_steplaw", r.stats().nStepLaw()).append("non_embedding_params", r.stats().nonEmbeddingParams())
                .append("total_params", r.stats().totalParams()).append("flops_per_token", r.stats().flopsPerToken())
                .append("seed", cfg.seed()).append("data_source", cfg.data().source()).append("tokenizer", r.tokenizer())
                .append("vocab", r.vocab()).append("d_model", m.dModel()).append("n_layers", m.nLayers())
                .append("n_heads", m.nHeads()).append("seq_len", m.seqLen())
                .append("tied_embeddings", m.tiedEmbeddings()).append("bias", m.bias())
                .append("qk_layernorm", m.qkLayernorm()).append("attn_scale", m.attnScale())
                .append("init_std", m.initStd()).append("param_type", p.type()).append("param_variant", p.variant())
                .append("m_n", r.mN()).append("m_l", r.mL()).append("alpha", r.alpha())
                .append("embedding_lr_mult", p.embeddingLrMult()).append("lr", o.lr()).append("beta1", o.beta1())
                .append("beta2", o.beta2()).append("eps", o.eps()).append("weight_decay", o.weightDecay())
                .append("wd_style", o.wdStyle()).append("grad_clip", o.gradClip()).append("z_loss", o.zLoss())
                .append("schedule_type", cfg.schedule().typeName())
                .append("warmup_steps", cfg.schedule().warmupSteps())
                .append("batch_size", cfg.train().batchSize()).append("batch_tokens", cfg.tokensPerStep())
                .append("total_steps", cfg.totalSteps()).append("device", r.device())
                .append("code_version", r.codeVersion());
        if (r.error() != null) {
            g.append("error", r.error());
        }
        g.append("config_json", r.configJson()).append("finished_at_ms", System.currentTimeMillis());
        Map<String, String> meta = stepsRows == null ? Map.of() : Map.of(PartFile.STEPS_ROWS, String.valueOf(stepsRows));
        try (ParquetWriter<Group> w = writer(file, Schemas.RUNS, meta)) {
            w.write(g);
        }
    }

    /** NaN and absent values are written as null; a diverged loss keeps its row, with a null loss. */
    private static void optional(Group g, String field, double v) {
        if (!Double.isNaN(v)) {
            g.append(field, v);
        }
    }

    private static void list(Group g, String field, double[] values) {
        Group list = g.addGroup(field);
        for (double v : values) {
            Group element = list.addGroup(0);
            if (!Double.isNaN(v)) {
                element.append("element", v);
            }
        }
    }
}
