package dev.proxylaw.jobs.fit;

import dev.proxylaw.analysis.fit.FitCore;
import dev.proxylaw.analysis.fit.RunRecord;
import dev.proxylaw.analysis.fit.RunStatus;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The fit on Spark: the input table (one row per run, read and joined by Spark) becomes run records at the
 * Parquet edge, and the engine-free {@link FitCore} fits them, with its bootstrap replicates run as Spark tasks.
 */
public final class FitJob {
    private FitJob() {
    }

    public static FitCore.Result run(JavaSparkContext jsc, Dataset<Row> input, FitCore.Options o, String source,
                                     PrintStream console) {
        List<RunRecord> records = new ArrayList<>();
        for (Row r : input.collectAsList()) {
            RunRecord rec = record(r);
            if (rec != null) {
                records.add(rec);
            }
        }
        return FitCore.fit(records, o, new SparkReplicates(jsc), source, console);
    }

    /**
     * One canonical row as a run record; null for a row the fit leaves out (FAILED, or COMPLETED without a
     * loss). A status that names none of COMPLETED, DIVERGED, FAILED is bad input, reported in one line.
     */
    static RunRecord record(Row r) {
        Object text = r.getAs("status");
        RunStatus status = RunStatus.parse(text == null ? null : text.toString());
        if (status == null) {
            throw new IllegalArgumentException("Cannot fit: a row has status '" + text + "'; status must be COMPLETED, "
                    + "DIVERGED or FAILED (or leave the column out: every row is then COMPLETED).");
        }
        double loss = num(r, "loss");
        if (status == RunStatus.FAILED || (status == RunStatus.COMPLETED && !Double.isFinite(loss))) {
            return null;
        }
        double n = num(r, "N");
        double d = num(r, "D");
        if (!(n > 0) || !(d > 0)) {
            throw new IllegalArgumentException("Cannot fit: a row has N=" + n + ", D=" + d + "; both must be positive "
                    + "numbers (non-embedding parameters, training tokens). Fix or drop that row.");
        }
        double seqLen = num(r, "seq_len");
        double lr = num(r, "lr");
        double batch = num(r, "batch_tokens");
        if (!(lr > 0 || Double.isNaN(lr)) || !(batch > 0 || Double.isNaN(batch))) {
            throw new IllegalArgumentException("Cannot fit: a row has lr=" + lr + ", batch_tokens=" + batch
                    + "; both must be positive (they are logged). Fix or drop that row.");
        }
        Object family = r.getAs("family");
        return new RunRecord(family == null ? "table" : family.toString(), n, d, lr, batch, seqLen, loss, status,
                num(r, "init_loss"), num(r, "width"), num(r, "depth"), num(r, "block0_logit"));
    }

    private static double num(Row r, String column) {
        Object v = r.getAs(column);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }
}
