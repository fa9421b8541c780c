package dev.proxylaw.jobs;

import dev.proxylaw.analysis.report.Figures;
import dev.proxylaw.analysis.report.ReportModel;
import dev.proxylaw.jobs.report.ReportReader;
import dev.proxylaw.jobs.report.ReportWriter;
import dev.proxylaw.jobs.spark.Spark;
import dev.proxylaw.jobs.spark.SparkSettings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import dev.proxylaw.jobs.io.Ledger;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code proxylaw report DIR [--laws DIR2] [--out DIR/report]}: the figures of a fitted sweep (or a fitted
 * results table) as DIR/report/index.html with PNG, SVG and the drawn numbers beside each figure.
 */
final class ReportCommand {
    static final Set<String> FLAGS = SparkOptions.with("laws", "out");

    private ReportCommand() {
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = new Args("report", argv, 1, FLAGS);
        if (a.positional.size() != 1) {
            throw new UserError("Usage: proxylaw report DIR [--laws DIR2] [--out DIR/report]  (DIR: a sweep's output after "
                    + "proxylaw fit, or the --out of proxylaw fit --runs)");
        }
        String dir = a.positional.get(0);
        SparkSettings settings = SparkOptions.settings(a, argv);
        var conf = TrainCommand.hadoopConf();
        Ledger.requireIntact(new Path(dir), conf);   // a damaged part file: one line naming it, before Spark reads it
        ReportReader.Source source = ReportReader.locate(dir, a.get("laws", null), conf);
        String dest = a.get("out", new Path(dir, "report").toString());
        System.setProperty("java.awt.headless", "true");
        // the report's shuffles (a few thousand runs at most) are small: 200 partitions would be 200 tasks each
        settings.conf().setIfMissing("spark.sql.shuffle.partitions", "8");
        SparkSession spark = Spark.session("proxylaw report " + dir, settings);
        try {
            long t0 = System.nanoTime();
            ReportModel model = ReportReader.read(spark, source);
            double read = (System.nanoTime() - t0) / 1e9;
            Figures figures = Figures.of(model);
            List<Map<String, Object>> laws = new ArrayList<>();
            for (Row r : spark.read().parquet(source.laws() + "/laws").collectAsList()) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String c : new String[] {"family", "law", "coefficient", "point", "lo95", "hi95"}) {
                    m.put(c, r.getAs(c));
                }
                laws.add(m);
            }
            Path page = ReportWriter.write(dest, model, figures, summary(model, source), laws, conf);
            page = page.getFileSystem(conf).makeQualified(page);
            out.printf("report: %d figures (%d not drawn, listed on the page) in %.1f s (reading with Spark %.1f s)%n  %s%n",
                    figures.drawn().size(), figures.skipped().size(), (System.nanoTime() - t0) / 1e9, read, page);
            return 0;
        } finally {
            spark.stop();
        }
    }

    private static Map<String, Object> summary(ReportModel m, ReportReader.Source s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", s.dir());
        out.put("fitted from", s.lawsJson().source() == null ? s.dir() : s.lawsJson().source());
        if (!m.runs().isEmpty()) {
            Map<String, Integer> byStatus = new TreeMap<>();
            m.runs().forEach(r -> byStatus.merge(r.status(), 1, Integer::sum));
            out.put("run attempts", m.runs().size() + " " + byStatus);
        }
        out.put("runs fitted", m.points().size());
        out.put("cells", m.cells().size() + " (" + m.cells().stream().filter(ReportModel.Cell::allDiverged).count()
                + " with every run diverged, " + m.cells().stream().filter(ReportModel.Cell::edge).count()
                + " with the best LR on the grid's edge)");
        out.put("families", m.cells().stream().map(ReportModel.Cell::family).distinct().count());
        out.put("near-optimal band", s.lawsJson().band() * 100 + "% of the cell's best loss");
        out.put("bootstrap replicates", s.lawsJson().bootstraps() + " (" + s.lawsJson().resampling() + "-level)");
        return out;
    }
}
