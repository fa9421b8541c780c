package dev.proxylaw.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of malformed run configs (through {@code train}) and sweep specs (through {@code sweep}):
 * each must exit 2 with one line that names the file, print no stack trace, and write nothing.
 */
class ConfigFuzzTest {
    static final String RUN = """
            name: fuzz
            data: {source: markov, markov_tokens: 5000}
            model:
              d_model: 16
              n_layers: 1
              n_heads: 2
              seq_len: 8
            optim: {lr: 0.003}
            schedule: {type: cosine, warmup_steps: 2}
            train: {batch_size: 4, steps: 10}
            """;
    static final String SPEC = """
            sweep: fuzz
            run:
              data: {source: markov, markov_tokens: 5000}
              model: {d_model: 16, n_layers: 1, n_heads: 2, seq_len: 8}
              schedule: {type: cosine, warmup_steps: 2}
              train: {batch_size: 4, steps: 10}
            axes:
              optim.lr: [0.001, 0.01]
            """;

    @TempDir
    static Path dir;

    /** Malformed run configs: name to file content. */
    static Map<String, byte[]> runs() {
        Map<String, byte[]> c = new LinkedHashMap<>();
        String[][] values = {
            {"d_model: 16", "d_model: 100000000", "d_model: -16", "d_model: 0", "d_model: sixteen", "d_model: 16.5",
                "d_model: 99999999999", "d_model: [16]", "d_model: 15"},
            {"seq_len: 8", "seq_len: 2000000000", "seq_len: 0", "seq_len: -8", "seq_len: {a: 1}"},
            {"n_heads: 2", "n_heads: 0", "n_heads: 3", "n_heads: true"},
            {"n_layers: 1", "n_layers: 0", "n_layers: -1", "n_layers: 1e9"},
            {"lr: 0.003", "lr: -0.003", "lr: 0", "lr: .inf", "lr: .nan", "lr: fast"},
            {"warmup_steps: 2", "warmup_steps: 5000", "warmup_steps: -1"},
            {"batch_size: 4", "batch_size: 0", "batch_size: 100000000", "batch_size: -4"},
            {"steps: 10", "steps: 0", "steps: -10", "steps: ten"},
            {"type: cosine", "type: cosine_restarts", "type: 7"},
            {"source: markov", "source: wikipedia", "source: text"},
        };
        for (String[] v : values) {
            for (int i = 1; i < v.length; i++) {
                c.put(v[i].replace(' ', '_'), RUN.replace(v[0], v[i]).getBytes(StandardCharsets.UTF_8));
            }
        }
        c.put("duplicate d_model", RUN.replace("  d_model: 16\n", "  d_model: 64\n  d_model: 32\n").getBytes(StandardCharsets.UTF_8));
        c.put("duplicate section", (RUN + "train: {batch_size: 2, steps: 5}\n").getBytes(StandardCharsets.UTF_8));
        c.put("unknown key", RUN.replace("optim: {lr: 0.003}", "optim: {learning_rate: 0.003}").getBytes(StandardCharsets.UTF_8));
        c.put("unknown section", (RUN + "extra: {a: 1}\n").getBytes(StandardCharsets.UTF_8));
        c.put("no model", RUN.replaceAll("(?s)model:.*?seq_len: 8\n", "").getBytes(StandardCharsets.UTF_8));
        c.put("steps and tokens", RUN.replace("steps: 10", "steps: 10, tokens: 1000").getBytes(StandardCharsets.UTF_8));
        c.put("wsd decay never starts", RUN.replace("{type: cosine, warmup_steps: 2}",
                "{type: wsd, warmup_steps: 0, decay_fraction: 0.01, min_lr: 0}").getBytes(StandardCharsets.UTF_8));
        c.put("wsd decay inside warmup", RUN.replace("{type: cosine, warmup_steps: 2}",
                "{type: wsd, warmup_steps: 9, decay_fraction: 0.5, min_lr: 0}").getBytes(StandardCharsets.UTF_8));
        c.put("memory", RUN.replace("d_model: 16", "d_model: 8192").replace("n_layers: 1", "n_layers: 64")
                .replace("n_heads: 2", "n_heads: 64").getBytes(StandardCharsets.UTF_8));
        c.put("empty", new byte[0]);
        c.put("only comments", "# nothing\n# here\n".getBytes(StandardCharsets.UTF_8));
        c.put("a list", "- 1\n- 2\n".getBytes(StandardCharsets.UTF_8));
        c.put("a scalar", "hello\n".getBytes(StandardCharsets.UTF_8));
        c.put("bad indentation", RUN.replace("  n_layers: 1", " n_layers: 1").getBytes(StandardCharsets.UTF_8));
        c.put("tab indentation", RUN.replace("  n_layers: 1", "\tn_layers: 1").getBytes(StandardCharsets.UTF_8));
        c.put("unclosed brace", RUN.replace("{lr: 0.003}", "{lr: 0.003").getBytes(StandardCharsets.UTF_8));
        c.put("binary", binary(3000, 7));
        c.put("latin-1", RUN.replace("name: fuzz", "name: f\u00fcz").getBytes(StandardCharsets.ISO_8859_1));
        c.put("utf-16", RUN.getBytes(StandardCharsets.UTF_16));
        c.put("truncated mid-key", java.util.Arrays.copyOf(RUN.getBytes(StandardCharsets.UTF_8), 40));
        return c;
    }

    /** Malformed sweep specs. */
    static Map<String, byte[]> specs() {
        Map<String, byte[]> c = new LinkedHashMap<>();
        c.put("spec duplicate sweep", SPEC.replace("sweep: fuzz", "sweep: fuzz\nsweep: other").getBytes(StandardCharsets.UTF_8));
        c.put("spec duplicate axis", SPEC.replace("optim.lr: [0.001, 0.01]", "optim.lr: [0.001]\n  optim.lr: [0.01]")
                .getBytes(StandardCharsets.UTF_8));
        c.put("spec duplicate run key", SPEC.replace("d_model: 16,", "d_model: 16, d_model: 32,").getBytes(StandardCharsets.UTF_8));
        c.put("spec no sweep id", SPEC.replace("sweep: fuzz\n", "").getBytes(StandardCharsets.UTF_8));
        c.put("spec bad sweep id", SPEC.replace("sweep: fuzz", "sweep: 'a b/c'").getBytes(StandardCharsets.UTF_8));
        c.put("spec unknown top key", (SPEC + "extra: 1\n").getBytes(StandardCharsets.UTF_8));
        c.put("spec empty axis", SPEC.replace("[0.001, 0.01]", "[]").getBytes(StandardCharsets.UTF_8));
        c.put("spec axis on unknown key", SPEC.replace("optim.lr:", "optim.learning_rate:").getBytes(StandardCharsets.UTF_8));
        c.put("spec negative lr", SPEC.replace("[0.001, 0.01]", "[0.001, -0.01]").getBytes(StandardCharsets.UTF_8));
        c.put("spec same point twice", SPEC.replace("[0.001, 0.01]", "[0.001, 0.001]").getBytes(StandardCharsets.UTF_8));
        c.put("spec overflowing width", SPEC.replace("optim.lr: [0.001, 0.01]", "model.d_model: [16, 100000000]")
                .getBytes(StandardCharsets.UTF_8));
        c.put("spec overflowing seq_len", SPEC.replace("optim.lr: [0.001, 0.01]", "model.seq_len: [8, 2000000000]")
                .getBytes(StandardCharsets.UTF_8));
        c.put("spec out of memory", SPEC.replace("optim.lr: [0.001, 0.01]", "model.d_model: [8192]\n  model.n_layers: [64]\n"
                + "  model.n_heads: [64]").getBytes(StandardCharsets.UTF_8));
        c.put("spec warmup beyond run", SPEC.replace("optim.lr: [0.001, 0.01]", "schedule.warmup_steps: [2, 5000]")
                .getBytes(StandardCharsets.UTF_8));
        c.put("spec missing base", SPEC.replace("run:", "base: no/such/base.yaml\nrun:").getBytes(StandardCharsets.UTF_8));
        c.put("spec bad ladder", SPEC.replace("[0.001, 0.01]", "{ladder: {base: 0.001}}").getBytes(StandardCharsets.UTF_8));
        c.put("spec axes not a map", SPEC.replace("axes:\n  optim.lr: [0.001, 0.01]", "axes: [1, 2]").getBytes(StandardCharsets.UTF_8));
        c.put("spec empty", new byte[0]);
        c.put("spec a list", "- sweep\n".getBytes(StandardCharsets.UTF_8));
        c.put("spec binary", binary(2000, 11));
        c.put("spec latin-1", SPEC.replace("sweep: fuzz", "sweep: fuzz # gr\u00fc\u00df").getBytes(StandardCharsets.ISO_8859_1));
        c.put("spec not yaml", "sweep: [unclosed\n".getBytes(StandardCharsets.UTF_8));
        c.put("spec wrong type run", SPEC.replace("batch_size: 4", "batch_size: four").getBytes(StandardCharsets.UTF_8));
        return c;
    }

    static byte[] binary(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theCorpusIsLargeEnough() {
        assertTrue(runs().size() + specs().size() >= 50, "corpus: " + (runs().size() + specs().size()));
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedFileIsOneLineExitTwoAndNothingWritten() {
        List<DynamicTest> tests = new ArrayList<>();
        int[] n = {0};
        runs().forEach((name, bytes) -> tests.add(DynamicTest.dynamicTest("run config: " + name,
                () -> check(bytes, "run" + n[0]++ + ".yaml", "train"))));
        specs().forEach((name, bytes) -> tests.add(DynamicTest.dynamicTest(name,
                () -> check(bytes, "spec" + n[0]++ + ".yaml", "sweep"))));
        return tests.stream();
    }

    static void check(byte[] content, String fileName, String command) throws Exception {
        Path file = Files.write(dir.resolve(fileName), content);
        Path out = dir.resolve("out-" + fileName);
        CliRunner.Result r = command.equals("train")
                ? CliRunner.run("train", file.toString(), "--out", out.toString())
                : CliRunner.run("sweep", file.toString(), "--out", out.toString(), "--master", "local[1]");
        String what = fileName + ":\n" + new String(content, StandardCharsets.UTF_8) + "\n->\n" + r.out() + r.err();
        assertEquals(2, r.code(), what);
        assertEquals(1, r.err().strip().lines().count(), what);
        assertTrue(r.err().startsWith("error: Cannot ") && r.err().contains(file.toString()), what);
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), what);
        assertEquals("", r.out(), what);
        assertFalse(Files.exists(out), "nothing written: " + what);
    }
}
