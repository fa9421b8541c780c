package dev.proxylaw.jobs.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Executes one notebook headless with Debian's nbconvert on the Java kernel, writing the executed copy (outputs and
 * figures in it), and reads that copy back for the first cell that raised.
 */
public final class Notebooks {
    /** Debian's nbconvert, on Debian's Python (scripts/setup.sh installs it), never another Python on PATH. */
    public static final Path NBCONVERT = Path.of("/usr/bin/jupyter-nbconvert");
    /** Per cell; the slowest cell reads a sweep's whole steps/ table. */
    static final int CELL_TIMEOUT_S = 1800;

    /**
     * Kernel starts per notebook. The kernel's own start-up races, which left 1 start in 6 unanswered on a loaded
     * machine, are fixed by proxylaw's LoopThread (see JavaKernel); a start that still does not answer (a machine too
     * slow for the timeout, a kernel that dies before its first cell) is tried again, which is safe as no cell has run.
     */
    static final int KERNEL_STARTS = 3;
    /**
     * A sound kernel answers in 2-5 s here, also with six busy loops on 2 cores. The first start is given up on after
     * 30 s, each next one gets twice as long (a slow machine still gets its kernel).
     */
    static final int FIRST_STARTUP_TIMEOUT_S = 30;

    /** What one notebook gave: the executed copy, its figures, the first error (null when none), kernel starts used. */
    public record Outcome(Path executed, double seconds, int figures, String error, String log, int starts) {
        public boolean ok() {
            return error == null;
        }
    }

    private Notebooks() {
    }

    /** Runs {@code notebook} into {@code outDir} with the kernel under {@code jupyterPath}; env holds PROXYLAW_DATA and the like. */
    public static Outcome execute(Path notebook, Path outDir, Path jupyterPath, Map<String, String> env)
            throws IOException, InterruptedException {
        Path executed = outDir.resolve(notebook.getFileName());
        long t0 = System.nanoTime();
        String log = "";
        int code = 0;
        int starts = 0;
        while (starts < KERNEL_STARTS) {
            starts++;
            Files.deleteIfExists(executed);   // a stale copy from an earlier run must not pass for this one
            // --allow-errors: a failing cell stays visible in the executed copy (nbconvert would write nothing); the
            // error is then read from that copy, below
            ProcessBuilder pb = new ProcessBuilder(NBCONVERT.toString(), "--to", "notebook", "--execute", "--allow-errors",
                    "--ExecutePreprocessor.kernel_name=" + JavaKernel.NAME, "--ExecutePreprocessor.timeout=" + CELL_TIMEOUT_S,
                    "--ExecutePreprocessor.startup_timeout=" + (FIRST_STARTUP_TIMEOUT_S << (starts - 1)),
                    "--output-dir", outDir.toString(), notebook.toString());
            pb.environment().putAll(env);
            pb.environment().put("JUPYTER_PATH", jupyterPath.toString());
            // connection files go beside the kernelspec, not into the user's Jupyter runtime directory
            pb.environment().put("JUPYTER_RUNTIME_DIR", jupyterPath.resolve("runtime").toString());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            byte[] output = p.getInputStream().readAllBytes();
            code = p.waitFor();
            log = quiet(new String(output, StandardCharsets.UTF_8));
            if (code == 0 || !log.contains("Kernel didn't respond in")) {
                break;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (code != 0 || !Files.isRegularFile(executed)) {
            return new Outcome(executed, seconds, 0, "nbconvert exited with " + code + " after " + starts
                    + " kernel start(s): the kernel died or did not answer", log, starts);
        }
        JsonNode nb = new ObjectMapper().readTree(executed.toFile());
        int figures = 0;
        String error = null;
        int codeCell = 0;
        for (JsonNode cell : nb.path("cells")) {
            if (!cell.path("cell_type").asText().equals("code")) {
                continue;
            }
            codeCell++;
            for (JsonNode o : cell.path("outputs")) {
                figures += o.path("data").has("image/png") ? 1 : 0;
                if (error == null && o.path("output_type").asText().equals("error")) {
                    error = "code cell " + codeCell + " (" + firstLine(cell.path("source")) + ") raised " + o.path("ename").asText()
                            + ": " + o.path("evalue").asText();
                }
            }
        }
        return new Outcome(executed, seconds, figures, error, log, starts);
    }

    /** nbconvert's output without the kernel's line per classpath entry (hundreds, the same every time). */
    private static String quiet(String log) {
        List<String> kept = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (!line.startsWith("Parsing classpath: ") && !(line.startsWith("Add ") && line.endsWith(" to classpath"))) {
                kept.add(line);
            }
        }
        return String.join("\n", kept);
    }

    private static String firstLine(JsonNode source) {
        String text = source.isArray() && !source.isEmpty() ? source.get(0).asText() : source.asText();
        String line = text.strip().split("\n", 2)[0];
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }
}
