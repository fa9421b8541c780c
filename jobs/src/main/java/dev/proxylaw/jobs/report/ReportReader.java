package dev.proxylaw.jobs.report;

import static org.apache.spark.sql.functions.col;

import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.analysis.fit.laws.LawsFile;
import dev.proxylaw.analysis.report.ReportModel;
import dev.proxylaw.jobs.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads what the report draws with Spark: the fit's cells/, points/ and laws.json, and when the fit was of a
 * sweep, the sweep's runs/ (status and timing) and a few runs' steps/ (curves, early activations). Only small
 * results come back to the driver: the steps are filtered and thinned by Spark first.
 */
public final class ReportReader {
    /** Most curves drawn per figure: beyond a dozen, lines stop being readable. */
    static final int MAX_CURVES = 12;
    /** Points kept per curve. */
    static final int CURVE_POINTS = 300;

    private ReportReader() {
    }

    public record Source(String dir, String laws, boolean hasSweep, LawsDocument lawsJson) {
    }

    /** Checks what DIR holds and says which command to run first when the report cannot be drawn. */
    public static Source locate(String dir, String lawsDir, Configuration conf) throws IOException {
        Path base = new Path(dir);
        FileSystem fs = base.getFileSystem(conf);
        boolean sweep = fs.exists(new Path(base, "runs")) && fs.exists(new Path(base, "steps"));
        String laws = lawsDir == null ? dir : lawsDir;
        Path json = new Path(laws, "laws.json");
        if (!fs.exists(base)) {
            throw new UserError("Cannot report on " + dir + ": it does not exist. Run ./proxylaw demo, or ./proxylaw sweep "
                    + "SWEEP.yaml --out " + dir + " and then ./proxylaw fit " + dir + ", first.");
        }
        if (!json.getFileSystem(conf).exists(json)) {
            throw new UserError(sweep
                    ? "Cannot report on " + dir + ": it holds a sweep but no fit yet (no " + json + "). Run ./proxylaw fit "
                    + dir + (lawsDir == null ? "" : " --out " + laws) + " first."
                    : "Cannot report on " + dir + ": it holds no sweep (runs/ and steps/) and no fit (laws.json). Run "
                    + "./proxylaw sweep SWEEP.yaml --out " + dir + " and ./proxylaw fit " + dir + " first (or ./proxylaw demo).");
        }
        LawsDocument root;
        try (InputStream in = json.getFileSystem(conf).open(json)) {
            root = LawsFile.read(in, json.toString());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        } catch (IOException e) {
            throw new UserError("Cannot read " + json + ": " + e.getMessage() + ". Re-run ./proxylaw fit to rewrite it.");
        }
        for (String t : new String[] {"cells", "points"}) {
            if (!fs.exists(new Path(laws, t))) {
                throw new UserError("Cannot report on " + dir + ": the fit in " + laws + " has no " + t + "/ (written by an "
                        + "older proxylaw). Re-run ./proxylaw fit " + dir + (lawsDir == null ? "" : " --out " + laws) + ".");
            }
        }
        return new Source(dir, laws, sweep, root);
    }

    public static ReportModel read(SparkSession spark, Source s) {
        LawsJson laws = new LawsJson(s.lawsJson());
        List<ReportModel.Cell> cells = new ArrayList<>();
        for (Row r : spark.read().parquet(s.laws() + "/cells").collectAsList()) {
            cells.add(new ReportModel.Cell(r.getAs("family"), r.getAs("cell"), d(r, "n"), d(r, "d"), i(r, "runs"),
                    i(r, "diverged"), i(r, "failed"), Boolean.TRUE.equals(r.getAs("all_diverged")), d(r, "lr_opt"),
                    d(r, "batch_tokens_opt"), d(r, "best_loss"), Boolean.TRUE.equals(r.getAs("edge")),
                    d(r, "lr_sensitivity"), d(r, "width"), d(r, "depth"), d(r, "seq_len")));
        }
        List<ReportModel.Point> points = new ArrayList<>();
        for (Row r : spark.read().parquet(s.laws() + "/points").collectAsList()) {
            points.add(new ReportModel.Point(r.getAs("family"), r.getAs("cell"), d(r, "n"), d(r, "d"), d(r, "lr"),
                    d(r, "batch_tokens"), d(r, "loss"), r.getAs("status"), Boolean.TRUE.equals(r.getAs("near_optimal")),
                    Boolean.TRUE.equals(r.getAs("best")), d(r, "width"), d(r, "depth")));
        }
        List<ReportModel.Run> runs = new ArrayList<>();
        List<ReportModel.Curve> curves = new ArrayList<>();
        List<ReportModel.Activation> acts = new ArrayList<>();
        if (s.hasSweep()) {
            Dataset<Row> raw = spark.read().parquet(s.dir() + "/runs");
            Dataset<Row> runsDf = raw.withColumn("shape", shape(raw));
            runs = runs(runsDf);
            // one row per run that ended with a result: what the curves and the coordinate check draw from
            Dataset<Row> terminal = runsDf.filter(dev.proxylaw.jobs.io.RunsContract.TERMINAL).dropDuplicates("run_id");
            Dataset<Row> steps = spark.read().parquet(s.dir() + "/steps");
            curves = SweepCurves.curves(terminal, steps);
            acts = SweepCurves.activations(terminal, steps);
        }
        return new ReportModel(s.dir(), cells, points, laws.stepLaws, laws.holdouts, laws.powers, runs, curves, acts,
                laws.notes, laws.rankedOn);
    }

    private static List<ReportModel.Run> runs(Dataset<Row> runsDf) {
        List<Row> rows = runsDf.select(col("run_id"), col("shape"), col("status"), col("attempt"), col("lr"),
                col("finished_at_ms"), col("wall_s")).collectAsList();
        double t0 = rows.stream().mapToDouble(r -> r.getLong(5) / 1000.0 - nz(r, 6)).min().orElse(0);
        List<ReportModel.Run> out = new ArrayList<>();
        for (Row r : rows) {
            double end = r.getLong(5) / 1000.0 - t0;
            out.add(new ReportModel.Run(r.getString(0), r.getString(1), r.getString(2), r.getInt(3), r.getDouble(4),
                    end - nz(r, 6), end));
        }
        out.sort(Comparator.comparingDouble(ReportModel.Run::startS));
        return out;
    }

    /** A run's shape: every setting the health chart groups by, LR left out; D is the planned budget. */
    private static org.apache.spark.sql.Column shape(Dataset<Row> runs) {
        return org.apache.spark.sql.functions.expr("concat_ws(' ', param_type, concat('d=', d_model), "
                + "concat('L=', n_layers), concat('D=', CAST(" + dev.proxylaw.jobs.fit.FitInput.plannedTokens(runs)
                + " AS BIGINT)), concat('B=', batch_tokens), "
                + "IF(qk_layernorm, 'qk-ln', NULL), IF(z_loss > 0, concat('z=', z_loss), NULL), "
                + "IF(embedding_lr_mult != 1, concat('emb_lr x', embedding_lr_mult), NULL), "
                + "IF(param_type = 'depth', concat('alpha=', alpha), NULL))");
    }

    private static double nz(Row r, int i) {
        return r.isNullAt(i) ? 0 : r.getDouble(i);
    }

    static double d(Row r, String c) {
        if (!Arrays.asList(r.schema().fieldNames()).contains(c)) {
            return Double.NaN;
        }
        Object v = r.getAs(c);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    private static int i(Row r, String c) {
        Object v = r.getAs(c);
        return v == null ? 0 : ((Number) v).intValue();
    }
}
