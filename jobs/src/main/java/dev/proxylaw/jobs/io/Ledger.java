package dev.proxylaw.jobs.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What an output directory already holds, from the names of its runs files alone (one listing, no
 * Parquet reads): the runs with a terminal row (COMPLETED or DIVERGED) and the failed attempts per run.
 */
public record Ledger(Set<String> terminal, Map<String, Integer> failedAttempts) {
    private static final Pattern TERMINAL = Pattern.compile("part-([0-9a-f]{16})\\.parquet");
    private static final Pattern FAILED = Pattern.compile("part-([0-9a-f]{16})-failed-.*\\.parquet");

    public static Ledger read(Path out, Configuration conf) {
        Set<String> terminal = new HashSet<>();
        Map<String, Integer> failed = new HashMap<>();
        try {
            FileSystem fs = out.getFileSystem(conf);
            FileStatus[] files;
            try {
                files = fs.listStatus(new Path(out, "runs"));
            } catch (FileNotFoundException e) {
                return new Ledger(terminal, failed);
            }
            for (FileStatus f : files) {
                String name = f.getPath().getName();
                Matcher t = TERMINAL.matcher(name);
                Matcher x = FAILED.matcher(name);
                if (t.matches()) {
                    terminal.add(t.group(1));
                } else if (x.matches()) {
                    failed.merge(x.group(1), 1, Integer::sum);
                }
            }
            return new Ledger(terminal, failed);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + out + "/runs: " + e.getMessage(), e);
        }
    }

    public int attempts(String runId) {
        return failedAttempts.getOrDefault(runId, 0);
    }
}
