package dev.proxylaw.jobs;

import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.jobs.io.RunsTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** {@code proxylaw status DIR}: a sweep's state from its dataset alone. */
final class StatusCommand {
    private StatusCommand() {
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = new Args("status", argv, 1, Set.of());
        if (a.positional.size() != 1) {
            throw new UserError("Usage: proxylaw status DIR");
        }
        Path dir = new Path(a.positional.get(0));
        FileSystem fs = dir.getFileSystem(TrainCommand.hadoopConf());
        if (!fs.exists(new Path(dir, "runs")) && !fs.exists(new Path(dir, "_sweep.json"))) {
            throw new UserError("Cannot summarise " + dir + ": it holds no sweep (no runs/ and no _sweep.json). "
                    + "Run proxylaw sweep SWEEP.yaml --out " + dir + " first.");
        }
        Ledger.requireIntact(dir, TrainCommand.hadoopConf());
        Integer planned = null;
        String sweep = null;
        Path planFile = new Path(dir, "_sweep.json");
        if (fs.exists(planFile)) {
            String json;
            try (var in = fs.open(planFile)) {
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Matcher m = Pattern.compile("\"sweep\": \"([^\"]*)\".*\"runs\": (\\d+)").matcher(json);
            if (m.find()) {
                sweep = m.group(1);
                planned = Integer.parseInt(m.group(2));
            }
        }
        List<RunsTable.Row> rows = RunsTable.read(dir, TrainCommand.hadoopConf());
        long completed = rows.stream().filter(r -> r.status().equals("COMPLETED")).count();
        long diverged = rows.stream().filter(r -> r.status().equals("DIVERGED")).count();
        long failedAttempts = rows.stream().filter(r -> r.status().equals("FAILED")).count();
        Set<String> terminalIds = rows.stream().filter(r -> !r.status().equals("FAILED")).map(RunsTable.Row::runId)
                .collect(Collectors.toSet());
        long failedRuns = rows.stream().filter(r -> r.status().equals("FAILED")).map(RunsTable.Row::runId).distinct()
                .filter(id -> !terminalIds.contains(id)).count();
        long tokens = rows.stream().filter(r -> !r.status().equals("FAILED")).mapToLong(RunsTable.Row::tokens).sum();
        double wall = rows.stream().mapToDouble(r -> Double.isNaN(r.wallSeconds()) ? 0 : r.wallSeconds()).sum();
        out.printf("sweep %s in %s%n", sweep == null ? "(no plan file)" : sweep, dir);
        long terminal = completed + diverged;
        if (planned != null) {
            out.printf("  planned     %d%n  pending     %d%n", planned, planned - terminal);
        }
        out.printf("  completed   %d%n  diverged    %d%n  failed      %d runs without a terminal row (%d failed attempts)%n",
                completed, diverged, failedRuns, failedAttempts);
        out.printf("  tokens      %,d trained in %.0f run-seconds%n", tokens, wall);
        rows.stream().filter(r -> r.finalValLoss() != null).min(Comparator.comparingDouble(RunsTable.Row::finalValLoss))
                .ifPresent(r -> out.printf("  best        run %s: val loss %.4f (lr %.3g, d_model %d, %s)%n", r.runId(),
                        r.finalValLoss(), r.lr(), r.dModel(), r.paramType()));
        Path quarantine = new Path(dir, Ledger.QUARANTINE);
        if (fs.exists(quarantine)) {
            long n = 0;
            for (var it = fs.listFiles(quarantine, true); it.hasNext(); ) {
                n += it.next().getPath().getName().endsWith(".parquet") ? 1 : 0;
            }
            out.printf("  set aside   %d damaged files in %s (kept, not used; their runs were trained again)%n", n, quarantine);
        }
        rows.stream().filter(r -> r.error() != null).reduce((x, y) -> y)
                .ifPresent(r -> out.printf("  last error  run %s: %s%n", r.runId(), r.error()));
        return 0;
    }
}
