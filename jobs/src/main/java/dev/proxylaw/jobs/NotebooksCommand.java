package dev.proxylaw.jobs;

import dev.proxylaw.jobs.notebook.JavaKernel;
import dev.proxylaw.jobs.notebook.Notebooks;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import dev.proxylaw.jobs.io.Ledger;
import org.apache.hadoop.fs.Path;

/**
 * {@code proxylaw notebooks DIR [--out DIR/notebooks] [--laws DIR] [--notebooks notebooks]}: executes every notebook
 * under notebooks/ headless against a sweep and its fit, on the project's Java kernel, and writes the executed copies
 * (tables and figures in them). Exit code 1 when a cell raised; the executed copy shows where.
 */
final class NotebooksCommand {
    static final String USAGE = "Usage: proxylaw notebooks DIR [--out DIR/notebooks] [--laws DIR] [--notebooks notebooks]";

    private NotebooksCommand() {
    }

    static int run(String[] argv, PrintStream out) throws IOException, InterruptedException {
        Args a = new Args("notebooks", argv, 1, Set.of("out", "laws", "notebooks"));
        if (a.positional.size() != 1) {
            throw new UserError(USAGE);
        }
        String dir = a.positional.get(0);
        Configuration conf = TrainCommand.hadoopConf();
        // the kernel runs in the notebook's own directory: it gets absolute, qualified paths
        Path data = qualified(dir, conf);
        Ledger.requireIntact(data, conf);   // a damaged part file: one line naming it, before a kernel reads it
        if (!data.getFileSystem(conf).exists(new Path(data, "runs"))) {
            throw new UserError("Cannot run the notebooks on " + dir + ": it holds no sweep (no runs/). Run proxylaw demo --out "
                    + dir + " or proxylaw sweep SWEEP.yaml --out " + dir + " first.");
        }
        String lawsDir = a.get("laws", dir);
        Path laws = qualified(lawsDir, conf);
        if (!laws.getFileSystem(conf).exists(new Path(laws, "laws.json"))) {
            throw new UserError("Cannot run the notebooks on " + dir + ": it has no fit yet (no laws.json in " + lawsDir
                    + "). Run proxylaw fit " + dir + (lawsDir.equals(dir) ? "" : " --out " + lawsDir) + " first.");
        }
        java.nio.file.Path source = java.nio.file.Path.of(a.get("notebooks", "notebooks")).toAbsolutePath().normalize();
        List<java.nio.file.Path> notebooks = list(source);
        if (!Files.isExecutable(Notebooks.NBCONVERT)) {
            throw new UserError("Cannot run the notebooks: " + Notebooks.NBCONVERT + " is missing. Run scripts/setup.sh "
                    + "(it installs Debian's jupyter-nbconvert and python3-nbclient).");
        }
        java.nio.file.Path outDir = outDir(a.get("out", null), data, dir);
        java.nio.file.Path jupyter = JavaKernel.install();
        Map<String, String> env = Map.of("PROXYLAW_DATA", data.toString(), "PROXYLAW_LAWS", laws.toString());
        out.printf("notebooks: %d from %s against %s, on the Java kernel in %s%n", notebooks.size(), source, dir, jupyter);
        int failed = 0;
        for (java.nio.file.Path nb : notebooks) {
            Notebooks.Outcome o = Notebooks.execute(nb, outDir, jupyter, env);
            if (o.ok()) {
                out.printf("  %-30s %6.1f s  %d figures%s%n", nb.getFileName(), o.seconds(), o.figures(),
                        o.starts() > 1 ? " (kernel started " + o.starts() + " times: a start did not answer)" : "");
                continue;
            }
            failed++;
            out.printf("  %-30s %6.1f s  FAILED: %s%n", nb.getFileName(), o.seconds(), o.error());
            if (!Files.isRegularFile(o.executed())) {
                // no executed copy to look at: keep nbconvert's and the kernel's output instead
                java.nio.file.Path log = outDir.resolve(nb.getFileName().toString().replaceAll("\\.ipynb$", ".log"));
                Files.writeString(log, o.log());
                List<String> lines = o.log().lines().toList();
                lines.subList(Math.max(0, lines.size() - 20), lines.size()).forEach(l -> out.println("    | " + l));
                out.println("    the whole log: " + log);
            }
        }
        out.printf("executed copies in %s: %d of %d notebooks ran without an error%n", outDir, notebooks.size() - failed, notebooks.size());
        return failed == 0 ? 0 : 1;
    }

    /** The directory with its scheme and an absolute path; a filesystem that cannot be opened is bad input. */
    private static Path qualified(String dir, Configuration conf) {
        try {
            return new Path(dir).getFileSystem(conf).makeQualified(new Path(dir));
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("Cannot open " + dir + ": " + e.getMessage() + ". Check the path and that its filesystem is reachable.");
        }
    }

    private static List<java.nio.file.Path> list(java.nio.file.Path source) throws IOException {
        List<java.nio.file.Path> found = List.of();
        if (Files.isDirectory(source)) {
            try (Stream<java.nio.file.Path> s = Files.list(source)) {
                found = s.filter(p -> p.getFileName().toString().endsWith(".ipynb")).sorted().toList();
            }
        }
        if (found.isEmpty()) {
            throw new UserError("Cannot run the notebooks: " + source + " holds no .ipynb file. Run from the proxylaw checkout "
                    + "or pass --notebooks DIR.");
        }
        return found;
    }

    /** --out, else DIR/notebooks when DIR is local: nbconvert writes only to local files. */
    private static java.nio.file.Path outDir(String given, Path data, String dir) {
        java.nio.file.Path o;
        if (given != null) {
            o = java.nio.file.Path.of(given).toAbsolutePath();
        } else if ("file".equals(data.toUri().getScheme())) {
            o = java.nio.file.Path.of(data.toUri()).resolve("notebooks");
        } else {
            throw new UserError("Cannot write the executed notebooks into " + dir + ": it is not a local directory. "
                    + "Pass --out LOCAL_DIR.");
        }
        try {
            return Files.createDirectories(o);
        } catch (IOException e) {
            throw new UserError("Cannot write the executed notebooks into " + o + ": " + e.getMessage() + ". Pass a writable --out.");
        }
    }
}
