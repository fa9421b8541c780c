package dev.proxylaw.jobs;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import dev.proxylaw.jobs.fit.FitInput;
import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.jobs.io.RunsContract;
import dev.proxylaw.jobs.spark.Spark;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code proxylaw export DIR --out DIR2 [--steps-every 20]}: a sweep's results as a compact dataset to keep or
 * publish. runs/ holds one row per terminal run (the ledger's failed attempts and duplicate commits left out) in
 * one file; steps/ keeps every {@code steps-every}-th logged step plus step 0, the fit's max-logit step
 * ({@code --logit-step}, 100 as in fit), each run's last step and every step with a validation loss, in one file. Everything the fit ranks
 * on stays exact: smoothed_loss and final_val_loss are the runs' own, and where a z-loss was trained the
 * smoothed cross-entropy is computed from the whole curve before thinning and kept as smoothed_ce. fit, report,
 * status and notebooks read DIR2 as they read a sweep. Written beside DIR2 and renamed into place, so an
 * interrupted export leaves nothing under DIR2.
 */
final class ExportCommand {
    static final long LOGIT_STEP = 100;

    private ExportCommand() {
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = new Args("export", argv, 1, SparkOptions.with("out", "steps-every", "logit-step"));
        if (a.positional.size() != 1 || a.get("out", null) == null) {
            throw new UserError("Usage: proxylaw export DIR --out DIR2 [--steps-every 20] [--logit-step 100] "
                    + SparkOptions.USAGE);
        }
        String source = a.positional.get(0);
        Path dest = new Path(a.get("out", null));
        int every = a.intValue("steps-every", 20);
        long logitStep = a.intValue("logit-step", (int) LOGIT_STEP);
        if (every < 1) {
            throw new UserError("Cannot export: --steps-every " + every + " must be at least 1 (1 keeps every logged step).");
        }
        Configuration conf = TrainCommand.hadoopConf();
        Path src = new Path(source);
        FileSystem fs = dest.getFileSystem(conf);
        if (!src.getFileSystem(conf).exists(new Path(src, "runs"))) {
            throw new UserError("Cannot export " + source + ": it holds no sweep results (no runs/). Run proxylaw sweep "
                    + "SWEEP.yaml --out " + source + " first.");
        }
        if (fs.exists(dest) && fs.listStatus(dest).length > 0) {
            throw new UserError("Cannot export to " + dest + ": it exists and is not empty. Choose a new --out or remove it.");
        }
        Ledger.requireIntact(src, conf);
        Path parent = dest.getParent() == null ? new Path(".") : dest.getParent();
        Path tmp = new Path(parent, "." + dest.getName() + ".export-tmp");
        fs.delete(tmp, true);
        SparkSession spark = Spark.session("proxylaw export " + source, SparkOptions.settings(a, argv));
        long runs;
        long kept;
        long all;
        try {
            Dataset<Row> runsIn = spark.read().parquet(source + "/runs");
            Dataset<Row> steps = spark.read().parquet(source + "/steps");
            Dataset<Row> terminal = runsIn.filter(RunsContract.TERMINAL).dropDuplicates("run_id");
            if (!Arrays.asList(runsIn.columns()).contains("smoothed_ce") && Arrays.asList(steps.columns()).contains("ce_loss")) {
                Dataset<Row> zIds = terminal.filter("z_loss > 0").select("run_id");
                Dataset<Row> ce = FitInput.smoothed(steps.join(zIds, "run_id"), "ce_loss").withColumnRenamed("recomputed",
                        "smoothed_ce");
                terminal = terminal.join(ce, "run_id", "left");
            }
            Dataset<Row> ids = terminal.select("run_id");
            Dataset<Row> ours = steps.join(ids, "run_id");
            Dataset<Row> last = ours.groupBy("run_id").agg(max("step").as("last_step"));
            Dataset<Row> thinned = ours.join(last, "run_id")
                    .filter(col("step").mod(lit(every)).equalTo(0).or(col("step").isin(0L, logitStep))
                            .or(col("step").equalTo(col("last_step"))).or(col("val_loss").isNotNull()))
                    .drop("last_step").orderBy("run_id", "step");
            terminal.orderBy("run_id").coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(tmp + "/runs");
            thinned.coalesce(1).write().mode(SaveMode.ErrorIfExists).parquet(tmp + "/steps");
            Dataset<Row> back = spark.read().parquet(tmp + "/runs");
            runs = back.count();
            kept = spark.read().parquet(tmp + "/steps").count();
            all = ours.count();
        } finally {
            spark.stop();
        }
        Path plan = new Path(src, "_sweep.json");
        if (src.getFileSystem(conf).exists(plan)) {
            FileUtil.copy(src.getFileSystem(conf), plan, fs, new Path(tmp, "_sweep.json"), false, conf);
        }
        try (var o = fs.create(new Path(tmp, "_export.json"), false)) {
            o.write(String.format("{\"exported_from\": \"%s\", \"runs\": %d, \"steps_every\": %d, \"steps_kept\": %d, "
                    + "\"steps_logged\": %d}%n", src.getName(), runs, every, kept, all).getBytes(StandardCharsets.UTF_8));
        }
        fs.mkdirs(parent);
        fs.delete(dest, true);   // empty, checked above
        if (!fs.rename(tmp, dest)) {
            throw new IOException("Cannot rename " + tmp + " to " + dest);
        }
        out.printf("export %s: %d runs, %d of %d logged steps (every %d, plus 0, %d, last and validation); wrote %s%n",
                source, runs, kept, all, every, logitStep, dest);
        return 0;
    }
}
