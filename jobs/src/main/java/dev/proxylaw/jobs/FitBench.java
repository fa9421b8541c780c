package dev.proxylaw.jobs;

import dev.proxylaw.analysis.fit.EdgeRule;
import dev.proxylaw.analysis.fit.FitCore;
import dev.proxylaw.analysis.fit.Resampling;
import dev.proxylaw.jobs.fit.FitInput;
import dev.proxylaw.jobs.fit.FitJob;
import dev.proxylaw.jobs.fit.FitOutput;
import dev.proxylaw.jobs.spark.Spark;
import java.io.PrintStream;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * {@code proxylaw bench fit}: writes a synthetic sweep (default 3,700 runs x 1,000 logged steps, with the
 * runs/ and steps/ columns the fit reads; losses from a known surface plus noise, and each run's smoothed final
 * loss stored in runs/ as the trainer stores it) and times the whole fit
 * (1,000 bootstraps) against a plain Spark scan of the same files, in one session. Asserts nothing.
 */
final class FitBench {
    private FitBench() {
    }

    static int run(Args a, PrintStream out) throws Exception {
        int runs = a.intValue("runs", 3700);
        int steps = a.intValue("steps", 1000);
        int boots = a.intValue("bootstraps", 1000);
        int rounds = a.intValue("rounds", 2);
        String dir = a.get("out", "out/bench-fit");
        // false: runs/ without smoothed_loss, like a table from elsewhere; the fit then smooths every curve itself
        boolean stored = Boolean.parseBoolean(a.get("runs-smoothed", "true"));
        int cores = Runtime.getRuntime().availableProcessors();
        SparkSession spark = Spark.session("proxylaw bench fit", "local[" + cores + "]", Map.of());
        try {
            long t0 = System.nanoTime();
            // 37 cells of 100 runs: N from a size index, D from a budget index, a 10 x 10 grid of lr x batch.
            // Each curve decays to Chinchilla's surface L(N, D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28 plus a bowl in
            // (lr, batch) and noise: like a real sweep, the loss surface is identified, so its fit does real work
            String run = "(id DIV " + steps + ")";
            String n = "1e6 * pow(2, (" + run + " DIV 100) % 6)";
            String d = "1e8 * pow(3, (" + run + " DIV 600) % 7)";
            spark.range((long) runs * steps).selectExpr(
                    "lpad(hex(" + run + "), 16, '0') AS run_id", "id % " + steps + " AS step",
                    "1.69 + 406.4 / pow(" + n + ", 0.34) + 410.7 / pow(" + d + ", 0.28) + 3.0 * exp(-(id % " + steps
                            + ") / 100.0) + 0.01 * pow(" + run + " % 10 - 4.5, 2) + 0.01 * pow((" + run
                            + " DIV 10) % 10 - 4.5, 2) + 0.002 * randn(1) AS loss",
                    "array(5.0 * pow(2, (" + run + " DIV 100) % 6) * (1 + " + run + " % 10)) AS max_attn_logit")
                    .write().mode(SaveMode.Overwrite).parquet(dir + "/steps");
            // the trainer stores each run's smoothed final loss with its row: here from the curves just written
            Dataset<Row> smoothed = FitInput.smoothed(spark.read().parquet(dir + "/steps"))
                    .withColumnRenamed("recomputed", "smoothed_loss");
            if (!stored) {
                smoothed = smoothed.drop("smoothed_loss");
            }
            spark.range(runs).selectExpr("id",
                    "lpad(hex(id), 16, '0') AS run_id", "'bench' AS sweep_id", "IF(id % 97 = 5, 'DIVERGED', 'COMPLETED') AS status",
                    "CAST(1e6 * pow(2, (id DIV 100) % 6) AS BIGINT) AS n_steplaw",
                    "CAST(1e8 * pow(3, (id DIV 600) % 7) AS BIGINT) AS tokens",
                    "0.01 * pow(2, (id % 10) - 5) AS lr", "CAST(256 * pow(2, (id DIV 10) % 10) AS BIGINT) AS batch_tokens",
                    "CAST(pow(2, (id DIV 10) % 10) * 4 AS INT) AS batch_size", "'sp' AS param_type", "'table' AS param_variant",
                    "1.0 AS embedding_lr_mult", "1.0 AS m_n", "0.0 AS alpha", "false AS qk_layernorm", "0.0 AS z_loss",
                    "0.1 AS weight_decay", "'coupled' AS wd_style", "1e-8 AS eps", "'cosine' AS schedule_type",
                    "20 AS warmup_steps", "64 AS d_model", "2 AS n_layers")
                    .drop("id").join(smoothed, "run_id").coalesce(cores).write().mode(SaveMode.Overwrite).parquet(dir + "/runs");
            out.printf("wrote %,d runs x %,d steps in %.1f s%n", runs, steps, (System.nanoTime() - t0) / 1e9);

            // scan and fit alternate, so that a build starting on this shared machine hits both; best of each
            double bestScan = Double.POSITIVE_INFINITY;
            double bestFit = Double.POSITIVE_INFINITY;
            for (int round = 1; round <= rounds; round++) {
                long s0 = System.nanoTime();
                long rows = spark.read().parquet(dir + "/steps").selectExpr("run_id", "step", "loss").javaRDD().count()
                        + spark.read().parquet(dir + "/runs").javaRDD().count();
                double scan = (System.nanoTime() - s0) / 1e9;
                out.printf("round %d: plain Spark scan of runs/ and steps/ (%,d rows): %.1f s%n", round, rows, scan);

                long f0 = System.nanoTime();
                // as proxylaw fit does: sweep() reads, joins and caches the input (lazily where runs/ lacks
                // smoothed_loss: then the curves are smoothed within the optima phase)
                Dataset<Row> input = FitInput.sweep(spark, dir, 100);
                double tInput = (System.nanoTime() - f0) / 1e9;
                long f1 = System.nanoTime();
                FitCore.Result r = FitJob.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), input,
                        new FitCore.Options(0.0025, boots, 200, 1, Resampling.CELL, EdgeRule.EXCLUDE), dir,
                        new PrintStream(java.io.OutputStream.nullOutputStream()));
                double tFit = (System.nanoTime() - f1) / 1e9;
                long f2 = System.nanoTime();
                FitOutput.write(spark, r, dir);
                double tWrite = (System.nanoTime() - f2) / 1e9;
                double fit = (System.nanoTime() - f0) / 1e9;
                input.unpersist(true);
                int inputRuns = r.cells().stream().mapToInt(c -> c.optimum().runs()).sum();
                out.printf("round %d: fit %.1f s = per-run input (smoothed loss, step 0, logit step) %.1f s (%,d runs) + optima, "
                        + "%d bootstraps and surface %.1f s (%d cells) + outputs %.1f s; ratio %.2f%n", round, fit, tInput,
                        inputRuns, boots, tFit, r.cells().size(), tWrite, fit / scan);
                StringBuilder phases = new StringBuilder();
                r.seconds().forEach((k, v) -> phases.append(String.format(" %s %.2f s;", k, v)));
                out.println("  optima and laws by phase:" + phases);
                bestScan = Math.min(bestScan, scan);
                bestFit = Math.min(bestFit, fit);
            }
            out.printf("best of %d: scan %.1f s, fit %.1f s, ratio fit / plain scan: %.2f%n", rounds, bestScan, bestFit,
                    bestFit / bestScan);
            return 0;
        } finally {
            spark.stop();
        }
    }
}
