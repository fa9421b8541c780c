package dev.proxylaw.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxylaw.jobs.notebook.JavaKernel;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxylaw notebooks} executes every notebook under notebooks/ headless (Debian's nbconvert, the Java kernel the
 * build copied from Maven Central) against a real sweep made here on Spark and its real fit, and fails on any cell error.
 * An integration test: it needs the kernel jar that {@code mvn package} copies into target/jupyter.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotebooksIT {
    /** The checked-in notebooks; Maven runs the tests in jobs/. */
    static final Path NOTEBOOKS = Path.of("..", "notebooks").toAbsolutePath().normalize();

    @TempDir
    static Path dir;
    static Path sweep;

    /**
     * Two parameterizations x 3 widths x 2 budgets x 4 LRs (one diverges): every figure has more than one curve, and two
     * budgets per size keep N and D apart for the Step Law. 48 runs of a few steps each.
     */
    @BeforeAll
    static void sweep() throws Exception {
        Path spec = Files.writeString(dir.resolve("grid.yaml"), """
                sweep: notebooks-test
                run:
                  data: {source: markov, markov_tokens: 20000}
                  model: {n_layers: 1, n_heads: 2, seq_len: 8}
                  schedule: {type: constant, warmup_steps: 2}
                  train: {batch_size: 4, eval_batches: 1}
                axes:
                  variant: {merge: [{param: {type: sp}}, {param: {type: mup, base_width: 8}}]}
                  model.d_model: [8, 16, 24]
                  derive.tokens_per_param: [0.2, 0.4]
                  optim.lr: [0.003, 0.01, 0.03, 30.0]
                """);
        sweep = dir.resolve("sweep");
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", sweep.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
    }

    static JsonNode read(Path notebook) throws Exception {
        return new ObjectMapper().readTree(notebook.toFile());
    }

    static List<Path> committed() throws Exception {
        try (Stream<Path> s = Files.list(NOTEBOOKS)) {
            return s.filter(p -> p.toString().endsWith(".ipynb")).sorted().toList();
        }
    }

    @Test
    @Order(1)
    void badInputNamesTheCommandToRunFirst() throws Exception {
        CliRunner.Result r = CliRunner.run("notebooks", dir.resolve("nothing-here").toString(), "--notebooks", NOTEBOOKS.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("no sweep") && r.err().contains("proxylaw sweep SWEEP.yaml --out"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        // the sweep exists, the fit does not yet
        r = CliRunner.run("notebooks", sweep.toString(), "--notebooks", NOTEBOOKS.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("no fit yet") && r.err().contains("Run proxylaw fit " + sweep + " first"), r.err());
        assertFalse(Files.exists(sweep.resolve("notebooks")), "nothing is written on bad input");
    }

    @Test
    @Order(2)
    void everyNotebookExecutesAgainstASweepAndItsFit() throws Exception {
        CliRunner.Result fit = CliRunner.run("fit", sweep.toString(), "--master", "local[2]", "--bootstraps", "20",
                "--surface-bootstraps", "5", "--logit-step", "2");
        assertEquals(0, fit.code(), fit.out() + fit.err());
        CliRunner.Result r = CliRunner.run("notebooks", sweep.toString(), "--notebooks", NOTEBOOKS.toString());
        System.out.print(r.out());   // the per-notebook times, in the test report
        assertEquals(0, r.code(), r.out() + r.err());
        List<Path> notebooks = committed();
        assertTrue(notebooks.size() >= 2, notebooks.toString());
        StringBuilder text = new StringBuilder();
        for (Path nb : notebooks) {
            Path executed = sweep.resolve("notebooks").resolve(nb.getFileName());
            assertTrue(Files.isRegularFile(executed), r.out());
            int figures = 0;
            for (JsonNode cell : read(executed).path("cells")) {
                if (!cell.path("cell_type").asText().equals("code")) {
                    continue;
                }
                assertFalse(cell.path("execution_count").isNull(), nb + ": a code cell did not run: " + cell.path("source"));
                for (JsonNode o : cell.path("outputs")) {
                    assertFalse(o.path("output_type").asText().equals("error"), nb + ": " + o.path("ename") + " " + o.path("evalue"));
                    figures += o.path("data").has("image/png") ? 1 : 0;
                    // nbformat stores a stream's text as one string or as a list of lines
                    if (o.path("text").isArray()) {
                        o.path("text").forEach(t -> text.append(t.asText()));
                    } else {
                        text.append(o.path("text").asText());
                    }
                }
            }
            assertTrue(figures >= 2, nb + " drew " + figures + " figures");
        }
        // what the notebooks read from this sweep and its fit, not from any other
        assertTrue(text.indexOf("axes that vary: param_type, d_model, planned_tokens, lr") >= 0, text.toString());
        assertTrue(text.indexOf("diverged: param_type=sp d_model=8 planned_tokens=160 lr 30.0") >= 0, text.toString());
        assertTrue(text.indexOf("Step Law over ") >= 0, text.toString());
        assertTrue(r.out().contains(notebooks.size() + " of " + notebooks.size() + " notebooks ran without an error"), r.out());
    }

    /** The test above can fail: a cell that raises makes the command exit 1 and name the cell. */
    @Test
    @Order(3)
    void aCellErrorFailsTheCommand() throws Exception {
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("broken.ipynb"), """
                {"cells": [
                  {"cell_type": "code", "execution_count": null, "id": "a", "metadata": {}, "outputs": [],
                   "source": "String data = System.getenv(\\"PROXYLAW_DATA\\");"},
                  {"cell_type": "code", "execution_count": null, "id": "b", "metadata": {}, "outputs": [],
                   "source": "if (data != null) throw new IllegalStateException(\\"broken on purpose\\");"}],
                 "metadata": {"kernelspec": {"name": "proxylaw-java", "display_name": "Java (proxylaw)", "language": "java"}},
                 "nbformat": 4, "nbformat_minor": 5}
                """);
        Path out = dir.resolve("broken-out");
        CliRunner.Result r = CliRunner.run("notebooks", sweep.toString(), "--notebooks", broken.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("code cell 2") && r.out().contains("broken on purpose"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("broken.ipynb")), "the executed copy shows the failing cell");
    }

    /**
     * The kernelspec's classpath loads proxylaw's channel loop, not the kernel jar's: a loop body that throws (the
     * kernel's start-up race on its handlers) would end the jar's loop thread, and then the kernel never answers again.
     */
    @Test
    @Order(4)
    void theKernelRunsTheChannelLoopThatSurvivesItsStartUpRaces() throws Exception {
        Path home = JavaKernel.install();
        JsonNode argv = read(home.resolve("kernels").resolve(JavaKernel.NAME).resolve("kernel.json")).path("argv");
        String classpath = null;
        for (int i = 0; i + 1 < argv.size(); i++) {
            classpath = argv.get(i).asText().equals("-cp") ? argv.get(i + 1).asText() : classpath;
        }
        assertTrue(classpath != null && classpath.endsWith("rapaio-jupyter-kernel.jar"), argv.toString());
        URL[] urls = Stream.of(classpath.split(File.pathSeparator)).map(p -> {
            try {
                return Path.of(p).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }).toArray(URL[]::new);
        try (URLClassLoader kernel = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> loop = kernel.loadClass("org.rapaio.jupyter.kernel.channels.LoopThread");
            AtomicInteger calls = new AtomicInteger();
            Runnable body = () -> {
                if (calls.incrementAndGet() == 1) {
                    throw new NullPointerException("a request before the handlers, on purpose");
                }
            };
            Thread t = (Thread) loop.getConstructor(String.class, long.class, Runnable.class).newInstance("test-loop", 1L, body);
            t.setUncaughtExceptionHandler((th, e) -> { });   // the thrown body is expected; keep the test log quiet
            t.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (calls.get() < 3 && t.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(calls.get() >= 3, "the loop ran its body " + calls.get() + " time(s); alive: " + t.isAlive()
                    + ", loaded from " + loop.getProtectionDomain().getCodeSource().getLocation());
            loop.getMethod("shutdown").invoke(t);
            t.join(10_000);
            assertFalse(t.isAlive(), "shutdown ends the loop");
        }
    }

    /** Committed notebooks carry no outputs: the executed copies are made from the data, never checked in. */
    @Test
    @Order(5)
    void committedNotebooksAreCleared() throws Exception {
        for (Path nb : committed()) {
            JsonNode json = read(nb);
            assertEquals("proxylaw-java", json.at("/metadata/kernelspec/name").asText(), nb.toString());
            for (JsonNode cell : json.path("cells")) {
                assertTrue(cell.path("outputs").isMissingNode() || cell.path("outputs").isEmpty(), nb + " has outputs");
                assertTrue(cell.path("execution_count").isMissingNode() || cell.path("execution_count").isNull(), nb.toString());
            }
        }
    }
}
