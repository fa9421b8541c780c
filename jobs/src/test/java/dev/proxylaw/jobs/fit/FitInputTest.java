package dev.proxylaw.jobs.fit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.CliRunner;
import dev.proxylaw.jobs.spark.Spark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fit takes each run's smoothed final loss from runs/ instead of recomputing it from steps/: that is only
 * right if the trainer's value is the fit's smoothing of the same curve, and if runs without it still get it.
 */
class FitInputTest {
    @TempDir
    static Path dir;

    @Test
    void theTrainersSmoothedLossIsTheFitsAndRunsWithoutItAreRecomputed() throws Exception {
        // 250 logged steps: sigma 2.5 points, so the filter and its reflection at the last point both matter
        Path spec = Files.writeString(dir.resolve("curves.yaml"), """
                sweep: fit-input-test
                run:
                  data: {source: markov, markov_tokens: 20000}
                  model: {n_layers: 1, n_heads: 2, seq_len: 8}
                  schedule: {type: constant, warmup_steps: 2}
                  train: {batch_size: 4, steps: 250, log_every: 1, eval_batches: 1}
                axes:
                  model.d_model: [8, 16]
                  optim.lr: [0.003, 0.03, 30.0]
                """);
        Path out = dir.resolve("sweep");
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        SparkSession spark = Spark.session("FitInputTest", "local[2]", Map.of());
        try {
            Dataset<Row> runs = spark.read().parquet(out + "/runs");
            Map<String, Double> stored = column(runs.select("run_id", "smoothed_loss"));
            Map<String, Double> recomputed = column(FitInput.smoothed(spark.read().parquet(out + "/steps")));
            assertEquals(6, stored.size());
            assertEquals(stored.keySet(), recomputed.keySet());
            // bit for bit: Double.equals compares the bits, and null (a non-finite curve) equals null
            stored.forEach((id, v) -> assertEquals(v, recomputed.get(id), "run " + id));
            assertTrue(stored.values().stream().filter(v -> v != null).count() >= 4, stored.toString());

            List<Row> expected = input(spark, out);
            // the two steps read from steps/: step 0 of every run, step 100 of the runs that got there
            assertTrue(expected.stream().allMatch(row -> !row.isNullAt(row.fieldIndex("init_loss"))
                    && (row.getAs("status").equals("DIVERGED") || !row.isNullAt(row.fieldIndex("block0_logit")))),
                    expected.toString());
            // a runs table written elsewhere, without the column: every run is smoothed from its curve
            Path noColumn = copySteps(out, dir.resolve("no-column"));
            runs.drop("smoothed_loss").write().parquet(noColumn + "/runs");
            assertEquals(expected, input(spark, noColumn));
            // one COMPLETED row without a value: that run alone is smoothed from its curve
            String completed = runs.filter("status = 'COMPLETED'").first().getAs("run_id");
            Path oneNull = copySteps(out, dir.resolve("one-null"));
            runs.withColumn("smoothed_loss", when(col("run_id").equalTo(completed), lit(null)).otherwise(col("smoothed_loss")))
                    .write().parquet(oneNull + "/runs");
            assertEquals(expected, input(spark, oneNull));
            // every attempt FAILED: a clear error, and nothing written
            Path failed = copySteps(out, dir.resolve("all-failed"));
            runs.withColumn("status", lit("FAILED")).write().parquet(failed + "/runs");
            spark.stop();
            CliRunner.Result f = CliRunner.run("fit", failed.toString(), "--master", "local[2]", "--surface-bootstraps", "5");
            assertEquals(2, f.code(), f.out() + f.err());
            assertTrue(f.err().contains("no COMPLETED or DIVERGED runs"), f.err());
            assertTrue(!Files.exists(failed.resolve("laws.json")) && !Files.exists(failed.resolve("cells")));
        } finally {
            spark.stop();
        }
    }

    private static List<Row> input(SparkSession spark, Path sweep) {
        return FitInput.sweep(spark, sweep.toString(), 100).orderBy("N", "D", "lr", "batch_tokens").collectAsList();
    }

    private static Map<String, Double> column(Dataset<Row> idValue) {
        Map<String, Double> out = new HashMap<>();
        for (Row row : idValue.collectAsList()) {
            out.put(row.getString(0), row.isNullAt(1) ? null : row.getDouble(1));
        }
        return out;
    }

    /** The sweep's per-run steps files as they are, so that the fallback reads the ledger's layout. */
    private static Path copySteps(Path from, Path to) throws IOException {
        Files.createDirectories(to.resolve("steps"));
        try (Stream<Path> files = Files.list(from.resolve("steps"))) {
            files.filter(f -> f.getFileName().toString().endsWith(".parquet")).forEach(f -> {
                try {
                    Files.copy(f, to.resolve("steps").resolve(f.getFileName()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return to;
    }

    /**
     * Runs are ranked on cross-entropy: a z-loss run's stored smoothed loss includes the penalty, so its smoothed
     * CE comes from steps/; and the embedding-LR multiplier enters the family relative to m_N.
     */
    @Test
    void zLossRunsAreRankedOnCrossEntropyAndEmbeddingLrIsRelativeToWidth() {
        SparkSession spark = Spark.session("FitInputTest", "local[2]", Map.of());
        try {
            String out = dir.resolve("synthetic").toString();
            // r0 without z-loss, r1 with (its objective is its CE plus 0.5); r2 is SP with the embedding LR x m_N,
            // m_N = d / base_width from its config (SP itself trains with m_N = 1)
            spark.range(3 * 50).selectExpr("IF(id < 50, 'r0', IF(id < 100, 'r1', 'r2')) AS run_id", "id % 50 AS step",
                    "CAST(3.0 - 0.01 * (id % 50) AS DOUBLE) AS ce_loss",
                    "CAST(3.0 - 0.01 * (id % 50) + IF(id >= 50 AND id < 100, 0.5, 0.0) AS DOUBLE) AS loss",
                    "array(1.0) AS max_attn_logit").write().parquet(out + "/steps");
            spark.range(3).selectExpr("IF(id = 0, 'r0', IF(id = 1, 'r1', 'r2')) AS run_id", "'COMPLETED' AS status",
                    "IF(id = 1, 3.01, 2.51) AS smoothed_loss", "IF(id = 1, 'mup', 'sp') AS param_type", "'table' AS param_variant",
                    "IF(id = 0, 1.0, 4.0) AS embedding_lr_mult", "IF(id = 1, 4.0, 1.0) AS m_n", "0.0 AS alpha",
                    "false AS qk_layernorm", "IF(id = 1, 1e-4, 0.0) AS z_loss", "0.1 AS weight_decay",
                    "'coupled' AS wd_style", "1e-8 AS eps", "'cosine' AS schedule_type", "2 AS warmup_steps",
                    "CAST(1e6 AS BIGINT) AS n_steplaw", "CAST(1e8 AS BIGINT) AS tokens", "0.01 AS lr",
                    "CAST(512 AS BIGINT) AS batch_tokens", "4 AS batch_size", "IF(id = 2, 128, 64) AS d_model", "2 AS n_layers",
                    "IF(id = 2, '{\"param\":{\"base_width\":32,\"type\":\"sp\"}}', '{\"param\":{\"base_width\":null}}') AS config_json")
                    .write().parquet(out + "/runs");
            Map<String, Row> rows = new HashMap<>();
            for (Row r : FitInput.sweep(spark, out, 10).collectAsList()) {
                rows.put(r.getAs("run_id"), r);
            }
            assertEquals(2.51, (Double) rows.get("r0").getAs("loss"), 1e-12, "no z-loss: the stored smoothed loss");
            double ce = (Double) rows.get("r1").getAs("loss");
            assertTrue(Math.abs(ce - 2.51) < 0.02, "z-loss run ranked on its smoothed CE, not on CE + 0.5: " + ce);
            assertEquals(128.0, (Double) rows.get("r1").getAs("seq_len"), 0);
            assertTrue(rows.get("r0").<String>getAs("family").contains("emb_lr=1.0"), rows.get("r0").toString());
            assertTrue(rows.get("r1").<String>getAs("family").contains("emb_lr=m_N^1"), rows.get("r1").toString());
            assertTrue(rows.get("r2").<String>getAs("family").contains("emb_lr=m_N^1"), rows.get("r2").toString());
        } finally {
            spark.stop();
        }
    }
}
