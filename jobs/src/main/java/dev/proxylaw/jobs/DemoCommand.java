package dev.proxylaw.jobs;

import dev.proxylaw.jobs.io.RunsTable;
import dev.proxylaw.jobs.sweep.Plan;
import dev.proxylaw.jobs.sweep.Planner;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * {@code proxylaw demo}: the fullest chain that exists today. The sweep conf/sweeps/demo.yaml (the tiny
 * proxy at seven peak LRs on the embedded Markov corpus) on Spark local mode, one single-threaded
 * training per core, into one Parquet dataset; then loss against LR with the optimum marked.
 */
final class DemoCommand {
    private DemoCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Args a = new Args("demo", argv, 1, SweepCommand.FLAGS);
        String spec = a.positional.isEmpty() ? "conf/sweeps/demo.yaml" : a.positional.get(0);
        Plan plan = Planner.load(Path.of(spec));
        String dir = a.get("out", "out/demo");
        String[] withOut = a.get("out", null) == null ? append(argv, "--out", dir) : argv;
        int code = SweepCommand.run(plan, new Args("demo", withOut, 1, SweepCommand.FLAGS), out);
        List<RunsTable.Row> rows = RunsTable.read(new org.apache.hadoop.fs.Path(dir), TrainCommand.hadoopConf()).stream()
                .filter(r -> plan.sweep().equals(r.sweepId()) && !r.status().equals("FAILED"))
                .sorted(Comparator.comparingDouble(RunsTable.Row::lr)).toList();
        Optional<RunsTable.Row> best = rows.stream().filter(r -> r.finalValLoss() != null)
                .min(Comparator.comparingDouble(RunsTable.Row::finalValLoss));
        out.println();
        out.println("    peak lr   status      val loss");
        for (RunsTable.Row r : rows) {
            out.printf("  %9.1e   %-10s  %s%s%n", r.lr(), r.status(),
                    r.finalValLoss() == null ? "-" : String.format("%.4f", r.finalValLoss()),
                    best.isPresent() && best.get() == r ? "   <- optimum" : "");
        }
        out.printf("%nParquet dataset: %s/runs and %s/steps; summary: ./proxylaw status %s%n", dir, dir, dir);
        return code;
    }

    private static String[] append(String[] argv, String... more) {
        String[] out = java.util.Arrays.copyOf(argv, argv.length + more.length);
        System.arraycopy(more, 0, out, argv.length, more.length);
        return out;
    }
}
