package dev.proxylaw.jobs;

import dev.proxylaw.analysis.fit.CellOptimum;
import dev.proxylaw.analysis.fit.EdgeRule;
import dev.proxylaw.analysis.fit.FitCore;
import dev.proxylaw.analysis.fit.RankLoss;
import dev.proxylaw.analysis.fit.Resampling;
import dev.proxylaw.jobs.fit.FitInput;
import dev.proxylaw.jobs.fit.FitJob;
import dev.proxylaw.jobs.fit.FitOutput;
import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.jobs.spark.Spark;
import java.io.PrintStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code proxylaw fit DIR [--out DIR2]} fits a sweep's results; {@code proxylaw fit --runs FILE --out DIR2
 * [--columns ...]} fits a published results table. Writes cells/, laws/ and laws.json.
 */
final class FitCommand {
    private FitCommand() {
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = new Args("fit", argv, 1, SparkOptions.with("out", "runs", "columns", "band", "bootstraps",
                "surface-bootstraps", "seed", "logit-step", "resampling", "edges", "loss"));
        String table = a.get("runs", null);
        if ((table == null) == (a.positional.size() != 1) || (table != null && a.get("out", null) == null)) {
            throw new UserError("Usage: proxylaw fit DIR [--out DIR2] | proxylaw fit --runs FILE.csv|FILE.parquet --out DIR2 "
                    + "[--columns 'batch_tokens=bs * 2048,loss=`smooth loss`'] [--band 0.0025] [--bootstraps 1000] "
                    + "[--surface-bootstraps 200] [--resampling cell|run] [--edges exclude|keep] [--loss smoothed|val] "
                    + "[--logit-step 100] [--seed 1] "
                    + SparkOptions.USAGE);
        }
        String source = table != null ? table : a.positional.get(0);
        String dest = a.get("out", source);
        FitCore.Options o = new FitCore.Options(a.doubleValue("band", CellOptimum.DEFAULT_BAND), a.intValue("bootstraps", 1000),
                a.intValue("surface-bootstraps", 200), a.intValue("seed", 1),
                choice(Resampling.class, "resampling", a.get("resampling", "cell")), choice(EdgeRule.class, "edges",
                a.get("edges", "exclude")), choice(RankLoss.class, "loss", a.get("loss", "smoothed")));
        if (table != null && o.rankLoss() != RankLoss.SMOOTHED) {
            throw new UserError("Cannot fit --runs " + table + " with --loss " + a.get("loss", "") + ": a table's loss is its "
                    + "'loss' column (map it with --columns).");
        }
        if (!(o.band() > 0 && o.band() < 1) || o.bootstraps() < 1 || o.surfaceBootstraps() < 1) {
            throw new UserError("Cannot fit: --band must lie in (0, 1); --bootstraps and --surface-bootstraps at least 1.");
        }
        if (table == null) {
            Ledger.requireIntact(new org.apache.hadoop.fs.Path(source), TrainCommand.hadoopConf());   // before Spark reads it
        }
        SparkSession spark = Spark.session("proxylaw fit " + source, SparkOptions.settings(a, argv));
        try {
            Dataset<Row> input = table != null ? FitInput.table(spark, table, a.get("columns", null))
                    : FitInput.sweep(spark, source, a.intValue("logit-step", 100), o.rankLoss());
            FitCore.Result r;
            try {
                r = FitJob.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), input, o, source, out);
            } catch (IllegalArgumentException e) {
                // the core's messages name what is wrong and how to fix it; one line, exit 2, nothing written
                throw new UserError(FitInput.firstLine(e) + " (in " + source + ")");
            }
            // checked on the result rather than by a job of its own over the input; nothing is written yet
            if (r.cells().isEmpty()) {
                throw new UserError("Cannot fit " + source + ": it has no COMPLETED or DIVERGED runs with a loss. "
                        + "Run the sweep first.");
            }
            FitOutput.write(spark, r, dest);
            long flagged = r.cells().stream().filter(c -> c.optimum().allDiverged()).count();
            out.printf("fit %s: %d cells (%d with every run diverged), %d families; wrote %s/cells, %s/points, %s/laws, %s/laws.json%n",
                    source, r.cells().size(), flagged, r.laws().families().size(), dest, dest, dest, dest);
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** A closed choice from its command-line spelling. */
    static <E extends Enum<E>> E choice(Class<E> type, String option, String text) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(text)) {
                return e;
            }
        }
        throw new UserError("Cannot fit: --" + option + " " + text + " is not one of "
                + java.util.Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase()).toList() + ".");
    }
}
