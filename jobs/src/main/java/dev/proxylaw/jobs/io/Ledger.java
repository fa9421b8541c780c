package dev.proxylaw.jobs.io;

import dev.proxylaw.jobs.UserError;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * The output directory as a ledger: its file layout, its commit protocol and its verification, in one
 * place for the sink and every reader.
 * <ul>
 *   <li>a COMPLETED or DIVERGED run is {@code runs/part-ID.parquet} plus {@code steps/part-ID.parquet};
 *   <li>a FAILED attempt is {@code runs/part-ID-failed-ATTEMPT-UUID.parquet} alone;
 *   <li>files are written under {@code _temporary/} and renamed into place steps first; the runs file is
 *       the commit, renamed without overwriting, so the first attempt to commit wins.
 * </ul>
 * A run counts as committed only when both its files verify ({@link PartFile}): a truncated or foreign
 * file is listed in {@link #damaged}, never trusted by its name. {@link #repair} moves damaged files to
 * {@code _quarantine/} with a note (data is never deleted), so the next sweep trains their runs again.
 */
public record Ledger(Set<String> terminal, Map<String, Integer> failedAttempts, List<Damaged> damaged) {
    public static final String QUARANTINE = "_quarantine";
    private static final Pattern TERMINAL = Pattern.compile("part-([0-9a-f]{16})\\.parquet");
    private static final Pattern FAILED = Pattern.compile("part-([0-9a-f]{16})-failed-.*\\.parquet");

    /** A part file that cannot be trusted, and why. */
    public record Damaged(Path file, String why) {
    }

    public static Path runsFile(Path out, String runId) {
        return new Path(out, "runs/part-" + runId + ".parquet");
    }

    public static Path stepsFile(Path out, String runId) {
        return new Path(out, "steps/part-" + runId + ".parquet");
    }

    public static Path failedFile(Path out, String runId, int attempt, String uuid) {
        return new Path(out, "runs/part-" + runId + "-failed-" + attempt + "-" + uuid + ".parquet");
    }

    public static Path temporary(Path out, String runId, String uuid) {
        return new Path(out, "_temporary/" + runId + "-" + uuid);
    }

    public int attempts(String runId) {
        return failedAttempts.getOrDefault(runId, 0);
    }

    /** Reads and verifies every part file; damaged ones are listed, not moved. */
    public static Ledger read(Path out, Configuration conf) {
        Set<String> terminal = new HashSet<>();
        Map<String, Integer> failed = new HashMap<>();
        List<Damaged> damaged = new ArrayList<>();
        try {
            FileSystem fs = out.getFileSystem(conf);
            Map<String, FileStatus> steps = new HashMap<>();
            for (FileStatus f : list(fs, new Path(out, "steps"))) {
                steps.put(f.getPath().getName(), f);
            }
            for (FileStatus f : list(fs, new Path(out, "runs"))) {
                String name = f.getPath().getName();
                Matcher t = TERMINAL.matcher(name);
                Matcher x = FAILED.matcher(name);
                if (x.matches()) {
                    PartFile.Result<PartFile.RunRow> r = PartFile.runs(f, conf);
                    if (r.damage() != null) {
                        damaged.add(new Damaged(f.getPath(), r.damage()));
                    } else {
                        failed.merge(x.group(1), 1, Integer::sum);
                    }
                } else if (t.matches()) {
                    String id = t.group(1);
                    FileStatus s = steps.remove(name);
                    String why = verifyRun(f, s, id, conf);
                    if (why == null) {
                        terminal.add(id);
                    } else {
                        damaged.add(new Damaged(f.getPath(), why));
                        if (s != null) {   // its steps go with it: the run is trained again and commits both anew
                            damaged.add(new Damaged(s.getPath(), "its run's runs file is damaged (" + why + ")"));
                        }
                    }
                }
            }
            // steps files without a runs file: left by an attempt that died between its renames; harmless if readable
            for (FileStatus s : steps.values()) {
                PartFile.steps(s, conf, null, null).ifPresent(why -> damaged.add(new Damaged(s.getPath(), why)));
            }
            return new Ledger(terminal, failed, damaged);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + out + ": " + e.getMessage(), e);
        }
    }

    /** Null when the run's two files verify, else why not. */
    private static String verifyRun(FileStatus runs, FileStatus steps, String id, Configuration conf) {
        PartFile.Result<PartFile.RunRow> r = PartFile.runs(runs, conf);
        if (r.damage() != null) {
            return r.damage();
        }
        if (!r.value().runId().equals(id)) {
            return "it holds run " + r.value().runId() + ", not " + id;
        }
        if (!r.value().status().equals("COMPLETED") && !r.value().status().equals("DIVERGED")) {
            return "its status is " + r.value().status() + " under a terminal run's name";
        }
        if (steps == null) {
            return "its steps file steps/part-" + id + ".parquet is missing";
        }
        return PartFile.steps(steps, conf, id, r.value().stepsRows()).map(why -> "its steps file is damaged: " + why).orElse(null);
    }

    /** True when the run's files are committed and verify (an executor's check before training). */
    public static boolean committed(Path out, Configuration conf, String runId) throws IOException {
        FileSystem fs = out.getFileSystem(conf);
        Path runs = runsFile(out, runId);
        Path steps = stepsFile(out, runId);
        if (!fs.exists(runs)) {
            return false;
        }
        return verifyRun(fs.getFileStatus(runs), fs.exists(steps) ? fs.getFileStatus(steps) : null, runId, conf) == null;
    }

    /** Reads, moves every damaged file to quarantine (named on the console), and returns what is left. */
    public static Ledger repair(Path out, Configuration conf, PrintStream console) {
        Ledger l = read(out, conf);
        if (l.damaged.isEmpty()) {
            return l;
        }
        Path dest = new Path(out, QUARANTINE + "/" + stamp());
        for (Damaged d : l.damaged) {
            Path moved = quarantine(out, conf, dest, d);
            console.printf("damaged: %s (%s); moved to %s, its run will be trained again%n", d.file, d.why, moved);
        }
        return new Ledger(l.terminal, l.failedAttempts, List.of());
    }

    /** For readers: fails in one line naming the first damaged file and the command that repairs it. */
    public static void requireIntact(Path out, Configuration conf) {
        Ledger l = read(out, conf);
        if (l.damaged.isEmpty()) {
            return;
        }
        Damaged d = l.damaged.get(0);
        String more = l.damaged.size() == 1 ? "" : " (and " + (l.damaged.size() - 1) + " more)";
        throw new UserError("Cannot read " + out + ": " + d.file.getParent().getName() + "/" + d.file.getName()
                + " is damaged: " + d.why + more + ". Run ./proxylaw sweep SPEC --out " + out
                + " with the spec that wrote it: it moves damaged files to " + QUARANTINE + "/ and trains their runs again.");
    }

    private static Path quarantine(Path out, Configuration conf, Path dest, Damaged d) {
        try {
            FileSystem fs = out.getFileSystem(conf);
            Path dir = new Path(dest, d.file.getParent().getName());
            fs.mkdirs(dir);
            Path to = new Path(dir, d.file.getName());
            if (!fs.rename(d.file, to)) {
                throw new IOException("rename " + d.file + " -> " + to + " failed");
            }
            try (FSDataOutputStream o = fs.create(new Path(dir, d.file.getName() + ".why.txt"), true)) {
                o.write(("moved here from " + d.file + " at " + Instant.now() + ": " + d.why + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the damaged file " + d.file + " to " + dest + ": " + e.getMessage()
                    + ". Move it aside by hand, then run the sweep again.", e);
        }
    }

    /**
     * Commits a terminal run: steps renamed into place first, then the runs file without overwriting.
     * False when another attempt had committed it already or won the race.
     */
    public static boolean commit(Path out, Configuration conf, Path tmpSteps, Path tmpRuns, String runId) throws IOException {
        FileSystem fs = out.getFileSystem(conf);
        Path finalRuns = runsFile(out, runId);
        Path finalSteps = stepsFile(out, runId);
        if (fs.exists(finalRuns)) {
            return false;   // another attempt committed this run
        }
        if (fs.exists(finalSteps)) {
            // left by an attempt that died between its two renames: set aside, not deleted
            quarantine(out, conf, new Path(out, QUARANTINE + "/" + stamp()),
                    new Damaged(finalSteps, "a steps file without its runs file, left by an attempt that died while committing"));
        }
        rename(fs, tmpSteps, finalSteps);
        try {
            FileContext.getFileContext(out.toUri(), conf).rename(tmpRuns, finalRuns, Options.Rename.NONE);
        } catch (FileAlreadyExistsException e) {
            return false;   // lost the race to a concurrent attempt: its identical rows stand
        }
        return true;
    }

    /** Commits a FAILED attempt's row under a name of its own. */
    public static Path commitFailed(Path out, Configuration conf, Path tmpRuns, String runId, int attempt, String uuid)
            throws IOException {
        Path to = failedFile(out, runId, attempt, uuid);
        rename(out.getFileSystem(conf), tmpRuns, to);
        return to;
    }

    private static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("rename " + from + " -> " + to + " failed");
        }
    }

    private static List<FileStatus> list(FileSystem fs, Path dir) throws IOException {
        try {
            List<FileStatus> out = new ArrayList<>();
            for (FileStatus f : fs.listStatus(dir)) {
                String n = f.getPath().getName();
                if (f.isFile() && n.endsWith(".parquet") && !n.startsWith(".") && !n.startsWith("_")) {
                    out.add(f);
                }
            }
            return out;
        } catch (FileNotFoundException e) {
            return List.of();
        }
    }

    private static String stamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
