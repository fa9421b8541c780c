package dev.proxylaw.jobs.fit;

import dev.proxylaw.analysis.fit.CellOptimum;
import dev.proxylaw.analysis.fit.FitCell;
import dev.proxylaw.analysis.fit.FitCore;
import dev.proxylaw.analysis.fit.RunPoint;
import dev.proxylaw.analysis.fit.RunStatus;
import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsFile;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Writes OUT/cells/, OUT/laws/, OUT/points/ (Parquet) and OUT/laws.json ({@link LawsFile}), whose keys the README documents. */
public final class FitOutput {
    static final StructType CELLS = new StructType()
            .add("family", DataTypes.StringType).add("cell", DataTypes.StringType)
            .add("n", DataTypes.DoubleType).add("d", DataTypes.DoubleType)
            .add("runs", DataTypes.IntegerType).add("diverged", DataTypes.IntegerType).add("failed", DataTypes.IntegerType)
            .add("all_diverged", DataTypes.BooleanType)
            .add("best_lr", DataTypes.DoubleType).add("best_batch_tokens", DataTypes.DoubleType)
            .add("best_loss", DataTypes.DoubleType).add("lr_opt", DataTypes.DoubleType)
            .add("batch_tokens_opt", DataTypes.DoubleType).add("edge", DataTypes.BooleanType)
            .add("refined", DataTypes.BooleanType).add("near_optimal", DataTypes.IntegerType)
            .add("lr_sensitivity", DataTypes.DoubleType)
            .add("width", DataTypes.DoubleType).add("depth", DataTypes.DoubleType).add("seq_len", DataTypes.DoubleType);
    /** One row per run as the fit saw it: the report's landscapes and LR curves are drawn from these. */
    static final StructType POINTS = new StructType()
            .add("family", DataTypes.StringType).add("cell", DataTypes.StringType)
            .add("n", DataTypes.DoubleType).add("d", DataTypes.DoubleType)
            .add("lr", DataTypes.DoubleType).add("batch_tokens", DataTypes.DoubleType)
            .add("loss", DataTypes.DoubleType).add("status", DataTypes.StringType)
            .add("near_optimal", DataTypes.BooleanType).add("best", DataTypes.BooleanType)
            .add("width", DataTypes.DoubleType).add("depth", DataTypes.DoubleType);
    static final StructType LAWS = new StructType()
            .add("family", DataTypes.StringType).add("law", DataTypes.StringType).add("coefficient", DataTypes.StringType)
            .add("point", DataTypes.DoubleType).add("mean", DataTypes.DoubleType)
            .add("lo95", DataTypes.DoubleType).add("hi95", DataTypes.DoubleType);

    private FitOutput() {
    }

    public static void write(SparkSession spark, FitCore.Result r, String out) throws IOException {
        List<Row> cells = new ArrayList<>();
        List<Row> points = new ArrayList<>();
        for (FitCell c : r.cells()) {
            CellOptimum o = c.optimum();
            boolean has = o.best() != null;
            cells.add(RowFactory.create(c.family(), o.cell(), o.n(), o.d(), o.runs(), o.diverged(), o.failed(),
                    o.allDiverged(), has ? finite(o.best().lr()) : null, has ? finite(o.best().batchTokens()) : null,
                    has ? o.best().loss() : null, finite(o.lrOpt()), finite(o.batchTokensOpt()), o.edge(), o.refined(),
                    o.nearOptimal().size(), finite(c.lrSensitivity()), finite(c.width()), finite(c.depth()),
                    finite(c.seqLen())));
            java.util.Set<RunPoint> near = new java.util.HashSet<>(o.nearOptimal());
            for (RunPoint p : c.runs()) {
                if (p.status() == RunStatus.FAILED) {
                    continue;
                }
                points.add(RowFactory.create(c.family(), o.cell(), p.n(), p.d(), finite(p.lr()), finite(p.batchTokens()),
                        p.diverged() ? null : finite(p.loss()), p.status().name(), near.contains(p), p.equals(o.best()),
                        finite(c.width()), finite(c.depth())));
            }
        }
        List<Row> laws = new ArrayList<>();
        r.laws().families().forEach((family, f) -> {
            if (f.stepLaw() != null) {
                var s = f.stepLaw();
                add(laws, family, "step_law", Map.of("c0", s.c0(), "cN", s.cN(), "cD", s.cD(), "k0", s.k0(), "kD", s.kD()));
            }
            if (f.power() != null) {
                add(laws, family, "power", Map.of("ln_a", f.power().lnA(), "b", f.power().b(), "batch_slope",
                        f.power().batchSlope()));
            }
            if (f.lossSurface() != null) {
                var ls = f.lossSurface();
                add(laws, family, "loss_surface", Map.of("E", ls.e(), "A", ls.a(), "alpha", ls.alpha(), "B", ls.b(),
                        "beta", ls.beta()));
            }
        });
        spark.createDataFrame(cells, CELLS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/cells");
        spark.createDataFrame(laws, LAWS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/laws");
        spark.createDataFrame(points, POINTS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/points");
        Path file = new Path(out, "laws.json");
        FileSystem fs = file.getFileSystem(new Configuration());
        Path tmp = new Path(out, "_laws.json.tmp");
        try (OutputStream o = fs.create(tmp, true)) {
            LawsFile.write(r.laws(), o);
        }
        fs.delete(file, false);
        fs.rename(tmp, file);
    }

    /** One row per identified coefficient, in name order; an unidentified one has a null point and interval. */
    private static void add(List<Row> laws, String family, String law, Map<String, Coefficient> coefficients) {
        new java.util.TreeMap<>(coefficients).forEach((name, c) -> laws.add(RowFactory.create(family, law, name,
                c.point(), c.mean(), c.lo95(), c.hi95())));
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
