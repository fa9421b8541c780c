package dev.proxylaw.jobs.fit;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.struct;

import dev.proxylaw.analysis.Smoothing;
import dev.proxylaw.analysis.fit.RankLoss;
import dev.proxylaw.jobs.UserError;
import dev.proxylaw.jobs.io.RunsContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * What the fit reads, as one table of canonical columns: family, cell, N, D, lr, batch_tokens,
 * seq_len, loss (the final smoothed loss), init_loss, status, and block0_logit (block 0's max
 * attention logit at a fixed step, for the instability extrapolation). A family is everything that is
 * neither N, D, LR nor batch (parameterization, interventions, schedule): laws are fitted per family,
 * optima per (family, N, D) cell.
 */
public final class FitInput {
    public static final List<String> CANONICAL = List.of("N", "D", "lr", "batch_tokens", "loss", "status", "family", "seq_len");
    /** The columns a table must have (or map); the others are optional. */
    static final List<String> REQUIRED = List.of("N", "D", "loss");

    private FitInput() {
    }

    /**
     * A sweep's dataset: its terminal runs with their smoothed final loss, the loss at step 0 and block 0's max
     * attention logit at {@code logitStep}.
     *
     * <p>The smoothed loss is the runs table's {@code smoothed_loss}: the trainer's sink computes it with
     * {@link Smoothing#smoothedFinal} over exactly the losses it writes to steps/ (FitInputTest checks that a
     * sweep's value equals the recomputation bit for bit), so steps/ is read only at steps 0 and
     * {@code logitStep}, a filter Parquet applies during the scan, and no per-run curve is shuffled. Runs
     * without the value (a runs table written elsewhere, or a COMPLETED row where it is null) get it recomputed
     * from their whole curve, as before.
     *
     * <p>D is the planned budget, not the tokens trained: a run that diverged early belongs to the cell it was
     * planned in.
     *
     * <p>The result is cached (one row per run, read by the fit more than once) and also carries run_id.
     */
    public static Dataset<Row> sweep(SparkSession spark, String dir, long logitStep) {
        return sweep(spark, dir, logitStep, RankLoss.SMOOTHED);
    }

    /**
     * The same, ranked on {@code rank}: {@link RankLoss#VAL} takes each run's final validation cross-entropy
     * (no z-loss in it, no curve to read) and refuses a COMPLETED run without one.
     */
    public static Dataset<Row> sweep(SparkSession spark, String dir, long logitStep, RankLoss rank) {
        Dataset<Row> runs;
        Dataset<Row> steps;
        try {
            runs = spark.read().parquet(dir + "/runs");
            steps = spark.read().parquet(dir + "/steps");
        } catch (Exception e) {
            throw new UserError("Cannot fit " + dir + ": it holds no sweep results (runs/ and steps/). "
                    + "Run proxylaw sweep SWEEP.yaml --out " + dir + " first.");
        }
        // one row per run from here on: as many partitions as cores, hashed by run_id so that the dedup, the
        // aggregation and the join below need no further shuffle. The default (spark.sql.shuffle.partitions, 200)
        // made the cached input 200 tasks per stage for a few thousand rows: 6 s of the fit's 8 on local[2]
        if (!Arrays.asList(runs.columns()).contains("config_json")) {   // a runs table written elsewhere
            runs = runs.withColumn("config_json", lit(null).cast(DataTypes.StringType));
        }
        for (String c : RunsContract.OPTIONAL_FAMILY_COLUMNS) {
            if (!Arrays.asList(runs.columns()).contains(c)) {
                runs = runs.withColumn(c, lit(null).cast(DataTypes.StringType));
            }
        }
        int parts = Math.max(1, spark.sparkContext().defaultParallelism());
        Dataset<Row> terminal = runs.filter(RunsContract.TERMINAL).repartition(parts, col("run_id"))
                .dropDuplicates("run_id");
        // steps written elsewhere may lack the per-layer logits: then there is nothing to extrapolate
        Column block0 = Arrays.asList(steps.columns()).contains("max_attn_logit")
                ? element_at(col("max_attn_logit"), 1) : lit(null).cast(DataTypes.DoubleType);
        Dataset<Row> points = steps.filter(col("step").isin(0L, logitStep)).repartition(parts, col("run_id")).groupBy("run_id")
                .agg(max(when(col("step").equalTo(0L), col("loss"))).as("init_loss"),
                        max(when(col("step").equalTo(logitStep), block0)).as("block0_logit"));
        // a left join: the ledger commits a run's steps before its runs row, so a terminal run has its curve
        Dataset<Row> joined = terminal.join(points, "run_id", "left");
        if (rank == RankLoss.VAL) {
            Dataset<Row> input = canonical(joined.withColumn("loss", col("final_val_loss")), plannedTokens(runs)).cache();
            List<String> missing = completedWithoutLoss(input);
            if (!missing.isEmpty()) {
                input.unpersist();
                throw new UserError("Cannot fit " + dir + " on validation loss: " + missing.size() + " COMPLETED run(s) have no "
                        + "final_val_loss in runs/ (e.g. " + missing.get(0) + "). Fit with --loss smoothed.");
            }
            return input;
        }
        // runs are ranked on cross-entropy: where a z-loss was trained, the stored smoothed loss includes its
        // penalty, so the smoothed cross-entropy is recomputed from those runs' curves (steps/ ce_loss)
        // an exported dataset (proxylaw export) carries it in runs/, computed from the whole curve before thinning
        List<String> runColumns = Arrays.asList(runs.columns());
        if (!runColumns.contains("smoothed_ce")) {
            List<String> zRuns = terminal.filter("z_loss > 0").select("run_id").as(Encoders.STRING()).collectAsList();
            if (!zRuns.isEmpty() && Arrays.asList(steps.columns()).contains("ce_loss")) {
                joined = joined.join(smoothed(steps.filter(col("run_id").isin(zRuns.toArray())), "ce_loss")
                        .withColumnRenamed("recomputed", "smoothed_ce"), "run_id", "left");
            }
        }
        if (runColumns.contains("smoothed_loss") && Arrays.asList(joined.columns()).contains("smoothed_ce")) {
            joined = joined.withColumn("smoothed_loss", coalesce(col("smoothed_ce"), col("smoothed_loss")));
        }
        String d = plannedTokens(runs);
        if (!runColumns.contains("smoothed_loss")) {
            return canonical(joined.join(smoothed(steps), "run_id").withColumn("loss", col("recomputed")), d).cache();
        }
        Dataset<Row> input = canonical(joined.withColumn("loss", col("smoothed_loss")), d).cache();
        // checked on the cached input, which the fit reads anyway, rather than by another pass over runs/
        List<String> missing = completedWithoutLoss(input);
        if (missing.isEmpty()) {
            return input;
        }
        input.unpersist();
        // one file per run in a sweep: the filter on run_id skips every other run's file
        Dataset<Row> recomputed = smoothed(steps.filter(col("run_id").isin(missing.toArray())));
        return canonical(joined.join(recomputed, "run_id", "left")
                .withColumn("loss", coalesce(col("smoothed_loss"), col("recomputed"))), d).cache();
    }

    /** The run ids of COMPLETED runs whose ranked loss is missing. */
    private static List<String> completedWithoutLoss(Dataset<Row> input) {
        return input.filter("status = 'COMPLETED' AND loss IS NULL").select("run_id").as(Encoders.STRING()).collectAsList();
    }

    private static Dataset<Row> canonical(Dataset<Row> joined, String plannedD) {
        return joined.selectExpr("run_id", RunsContract.FAMILY + " AS family",
                "CAST(n_steplaw AS DOUBLE) AS N", plannedD + " AS D", "lr",
                "CAST(batch_tokens AS DOUBLE) AS batch_tokens", "CAST(batch_tokens / batch_size AS DOUBLE) AS seq_len",
                "loss", "init_loss", "status", "d_model AS width", "n_layers AS depth", "block0_logit");
    }

    /**
     * (run_id, recomputed): the Step Law smooth loss of each run's whole logged train loss, in step order; null
     * when a loss is missing or not finite. Shuffles every curve: the fallback, and what bench fit stores as
     * its synthetic runs' smoothed_loss, as the trainer would have.
     */
    public static Dataset<Row> smoothed(Dataset<Row> steps) {
        return smoothed(steps, "loss");
    }

    /** (run_id, recomputed) from the given per-step loss column. */
    public static Dataset<Row> smoothed(Dataset<Row> steps, String lossColumn) {
        SparkSession spark = steps.sparkSession();
        spark.udf().register("step_law_smooth", (UDF1<scala.collection.Seq<Row>, Double>) FitInput::smooth,
                DataTypes.DoubleType);
        // partitioned as sweep() partitions the runs, so that joining the two needs no further shuffle
        int parts = Math.max(1, spark.sparkContext().defaultParallelism());
        return steps.repartition(parts, col("run_id")).groupBy("run_id")
                .agg(collect_list(struct(col("step").cast("long"), col(lossColumn).cast("double"))).as("curve"))
                .selectExpr("run_id", "step_law_smooth(curve) AS recomputed");
    }

    /**
     * The run's planned token budget: train.tokens from its config when the sweep set one (so runs at other
     * batch sizes share the cell even where whole steps round it differently), else steps x batch tokens.
     * Datasets without the config columns fall back to the tokens trained.
     */
    public static String plannedTokens(Dataset<Row> runs) {
        List<String> cols = Arrays.asList(runs.columns());
        if (!cols.contains("config_json") || !cols.contains("total_steps")) {
            return "CAST(tokens AS DOUBLE)";
        }
        return "CAST(COALESCE(CAST(get_json_object(config_json, '$.train.tokens') AS BIGINT), total_steps * batch_tokens) AS DOUBLE)";
    }

    static Double smooth(scala.collection.Seq<Row> curve) {
        List<Row> rows = new ArrayList<>(scala.collection.JavaConverters.seqAsJavaListConverter(curve).asJava());
        rows.sort((a, b) -> Long.compare(a.getLong(0), b.getLong(0)));
        double[] loss = new double[rows.size()];
        for (int i = 0; i < loss.length; i++) {
            loss[i] = rows.get(i).isNullAt(1) ? Double.NaN : rows.get(i).getDouble(1);
        }
        double s = Smoothing.smoothedFinal(loss);
        return Double.isFinite(s) ? s : null;
    }

    /**
     * A results table (CSV with a header, or Parquet) with canonical columns N, D and loss, and optionally lr,
     * batch_tokens, status, family and seq_len (without lr and batch only the loss surface can be fitted; without
     * seq_len no Power law). {@code columns} maps canonical names to Spark SQL expressions over the file's
     * columns, e.g. {@code batch_tokens=bs * 2048,loss=`smooth loss`}.
     */
    public static Dataset<Row> table(SparkSession spark, String file, String columns) {
        Dataset<Row> raw;
        try {
            raw = file.endsWith(".parquet") ? spark.read().parquet(file)
                    : spark.read().option("header", "true").option("inferSchema", "true").csv(file);
        } catch (Exception e) {
            throw new UserError("Cannot read --runs " + file + ": " + firstLine(e) + ". Give a CSV with a header or a Parquet file.");
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        for (String c : CANONICAL) {
            mapping.put(c, Arrays.asList(raw.columns()).contains(c) ? "`" + c + "`" : null);
        }
        if (columns != null && !columns.isBlank()) {
            // a comma starts a new mapping only where NAME= follows it, so expressions may contain commas
            for (String kv : columns.split(",(?=\\s*(?:" + String.join("|", CANONICAL) + ")\\s*=(?!=))")) {
                int eq = kv.indexOf('=');
                String key = eq < 0 ? "" : kv.substring(0, eq).strip();
                if (!mapping.containsKey(key)) {
                    throw new UserError("Cannot use --columns " + kv + ": '" + key + "' is not a canonical column; map "
                            + String.join(", ", CANONICAL) + " as NAME=EXPRESSION.");
                }
                mapping.put(key, kv.substring(eq + 1).strip());
            }
        }
        List<String> missing = new ArrayList<>();
        mapping.forEach((k, v) -> {
            if (v == null && REQUIRED.contains(k)) {
                missing.add(k);
            }
        });
        if (!missing.isEmpty()) {
            throw new UserError("Cannot fit " + file + ": no column for " + String.join(", ", missing) + ". Its columns are "
                    + String.join(", ", raw.columns()) + "; map them with --columns, e.g. --columns 'batch_tokens=bs * 2048'.");
        }
        List<String> select = new ArrayList<>();
        mapping.forEach((k, v) -> select.add(switch (k) {
            case "status" -> v == null ? "'COMPLETED' AS status" : "CAST(" + v + " AS STRING) AS status";
            case "family" -> v == null ? "'table' AS family" : "CAST(" + v + " AS STRING) AS family";
            default -> v == null ? "CAST(NULL AS DOUBLE) AS " + k : "CAST(" + v + " AS DOUBLE) AS " + k;
        }));
        select.add("CAST(NULL AS DOUBLE) AS init_loss");
        select.add("CAST(NULL AS INT) AS width");
        select.add("CAST(NULL AS INT) AS depth");
        select.add("CAST(NULL AS DOUBLE) AS block0_logit");
        try {
            Dataset<Row> out = raw.selectExpr(select.toArray(String[]::new));
            out.schema();   // analysis errors surface here, before any job runs
            return out;
        } catch (Exception e) {
            throw new UserError("Cannot map the columns of " + file + " (" + mapping + "): " + firstLine(e)
                    + ". Its columns are " + String.join(", ", raw.columns()) + ".");
        }
    }

    public static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.lines().findFirst().orElse(m);
    }
}
