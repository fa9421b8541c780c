package dev.proxylaw.jobs;

import dev.proxylaw.jobs.spark.SparkSettings;
import dev.proxylaw.jobs.sweep.Plan;
import dev.proxylaw.jobs.sweep.Planner;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code proxylaw demo}: the whole chain on one machine. The sweep conf/sweeps/demo.yaml (English text; the
 * launcher builds the corpus first) on Spark local mode (one single-threaded training per core) into one Parquet
 * dataset, then the fit (cells, laws with bootstrap intervals, ranked on the validation loss), then the report,
 * whose path it prints last.
 */
final class DemoCommand {
    private DemoCommand() {
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = new Args("demo", argv, 1, SweepCommand.FLAGS);
        String spec = a.positional.isEmpty() ? "conf/sweeps/demo.yaml" : a.positional.get(0);
        SparkSettings settings = SparkOptions.settings(a, argv);
        Plan plan = Planner.load(spec, settings.hadoopConf());
        String dir = a.get("out", "out/demo");
        String[] withOut = a.get("out", null) == null ? append(argv, "--out", dir) : argv;
        out.println("== 1/3 sweep: " + spec + " -> " + dir);
        int code = SweepCommand.run(plan, new Args("demo", withOut, 1, SweepCommand.FLAGS), settings, out);
        if (code != 0) {
            return code;
        }
        List<String> spark = new ArrayList<>();
        for (String flag : new String[] {"master", "properties"}) {
            if (a.get(flag, null) != null) {
                spark.addAll(List.of("--" + flag, a.get(flag, null)));
            }
        }
        a.all("conf").forEach(c -> spark.addAll(List.of("--conf", c)));
        out.println();
        out.println("== 2/3 fit: per-cell optima and laws with 1,000 bootstrap replicates, runs ranked on their final "
                + "validation loss");
        code = FitCommand.run(with(spark, "fit", dir, "--loss", "val"), out);
        if (code != 0) {
            return code;
        }
        out.println();
        out.println("== 3/3 report");
        code = ReportCommand.run(with(spark, "report", dir), out);
        out.printf("%nNext: ./proxylaw status %s; ./proxylaw predict --laws %s --N 2e5 --D 4e5 --family FAMILY "
                + "(without --family it lists the fitted families); ./proxylaw notebooks %s runs notebooks/ on the same "
                + "Parquet.%n", dir, dir, dir);
        return code;
    }

    private static String[] with(List<String> spark, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(spark);
        return all.toArray(String[]::new);
    }

    private static String[] append(String[] argv, String... more) {
        String[] out = java.util.Arrays.copyOf(argv, argv.length + more.length);
        System.arraycopy(more, 0, out, argv.length, more.length);
        return out;
    }
}
