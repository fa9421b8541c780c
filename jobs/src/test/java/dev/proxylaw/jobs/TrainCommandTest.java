package dev.proxylaw.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code proxylaw train}: real Parquet out, read back by DuckDB; bad input exits 2 and writes nothing. */
class TrainCommandTest {
    static final String RUN = """
            name: cli-test
            seed: 2
            data: {source: markov, markov_tokens: 50000}
            model: {d_model: 32, n_layers: 2, n_heads: 4, seq_len: 16, qk_layernorm: true}
            optim: {lr: 0.01, z_loss: 0.0001}
            schedule: {type: wsd, warmup_steps: 5, decay_fraction: 0.2, decay_shape: cosine, min_lr: 0.0}
            train: {batch_size: 8, steps: 40, eval_every_tokens: 1024}
            """;

    @TempDir
    static Path dir;
    static Path out;
    static int trainExit;
    static String trainStdout;

    static CliRunner.Result cli(String... args) {
        return CliRunner.run(args);
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        Path cfg = Files.writeString(dir.resolve("run.yaml"), RUN);
        out = dir.resolve("out");
        CliRunner.Result r = cli("train", cfg.toString(), "--out", out.toString());
        trainExit = r.code();
        trainStdout = r.out();
    }

    static Connection duckdb() throws Exception {
        return DriverManager.getConnection("jdbc:duckdb:");
    }

    @Test
    void trainWritesOneRunRowAndItsStepsReadableByDuckDb() throws Exception {
        assertEquals(0, trainExit, trainStdout);
        assertTrue(trainStdout.contains("COMPLETED after 40 steps"), trainStdout);
        try (Connection c = duckdb(); Statement s = c.createStatement()) {
            ResultSet runs = s.executeQuery("SELECT run_id, status, steps, tokens, epochs, smoothed_loss, final_val_loss, "
                    + "schedule_type, warmup_steps, qk_layernorm, n_steplaw, code_version, config_json FROM read_parquet('"
                    + out.resolve("runs") + "/*.parquet')");
            assertTrue(runs.next());
            String runId = runs.getString("run_id");
            assertEquals("COMPLETED", runs.getString("status"));
            assertEquals(40, runs.getLong("steps"));
            assertEquals(40 * 8 * 16, runs.getLong("tokens"));
            // batches are drawn with replacement from the training split: 50,000 Markov tokens less the 10% held out
            assertEquals(40 * 8 * 16 / 45_000.0, runs.getDouble("epochs"), 1e-12);
            assertTrue(runs.getDouble("smoothed_loss") > 0 && runs.getDouble("final_val_loss") > 0);
            assertEquals("wsd", runs.getString("schedule_type"));
            assertEquals(5, runs.getInt("warmup_steps"));
            assertTrue(runs.getBoolean("qk_layernorm"));
            assertEquals(2L * 12 * 32 * 32, runs.getLong("n_steplaw"));
            // the git commit of the build, so a row names the code that made it
            assertTrue(runs.getString("code_version").matches("[0-9a-f]{7,}(\\+dirty)?"), runs.getString("code_version"));
            // the stored config rebuilds the run, with the same id
            RunConfig back = ConfigIo.parseJson(runs.getString("config_json"));
            assertEquals(runId, back.id());
            assertFalse(runs.next(), "one row per run");

            ResultSet steps = s.executeQuery("SELECT count(*) AS n, count(DISTINCT step) AS d, min(step) AS lo, "
                    + "max(step) AS hi, count(val_loss) AS evals, max(len(max_attn_logit)) AS layers, "
                    + "count(lr_unembed) AS lr_unembed, sum(CASE WHEN z_loss > 0 THEN 1 ELSE 0 END) AS z "
                    + "FROM read_parquet('" + out.resolve("steps") + "/*.parquet') WHERE run_id = '" + runId + "'");
            assertTrue(steps.next());
            assertEquals(40, steps.getLong("n"));
            assertEquals(40, steps.getLong("d"));
            assertEquals(0, steps.getLong("lo"));
            assertEquals(39, steps.getLong("hi"));
            assertEquals(5, steps.getLong("evals"), "val loss every 1,024 tokens = every 8 steps");
            assertEquals(2, steps.getLong("layers"));
            assertEquals(40, steps.getLong("lr_unembed"));
            assertEquals(40, steps.getLong("z"));
        }
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(java.util.Set.of("runs", "steps"), left.map(p -> p.getFileName().toString())
                    .collect(java.util.stream.Collectors.toSet()), "no temporary files left behind");
        }
    }

    @Test
    void aDivergedRunIsAResultWithItsStep() throws Exception {
        Path cfg = Files.writeString(dir.resolve("diverge.yaml"), RUN.replace("lr: 0.01", "lr: 50.0")
                .replace("steps: 40", "steps: 200"));
        Path o = dir.resolve("diverged");
        CliRunner.Result r = cli("train", cfg.toString(), "--out", o.toString());
        assertEquals(0, r.code(), r.err());
        try (Connection c = duckdb(); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT status, diverged_step, steps FROM read_parquet('" + o.resolve("runs") + "/*.parquet')");
            assertTrue(rs.next());
            assertEquals("DIVERGED", rs.getString("status"));
            assertNotNull(rs.getObject("diverged_step"));
            assertTrue(rs.getLong("steps") < 200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing config      | MISSING           | does not exist",
        "unknown key         | optim: {lr: 0.01, learning_rate: 1} | unknown key 'optim.learning_rate'",
        "d not divisible     | d_model: 32, n_layers: 2, n_heads: 4 => d_model: 30, n_layers: 2, n_heads: 4 | not divisible by n_heads",
        "negative lr         | lr: 0.01 => lr: -0.01 | optim.lr=-0.01",
        "missing data file   | source: markov, markov_tokens: 50000 => source: text, path: /nonexistent/corpus.txt | /nonexistent/corpus.txt",
    })
    void badInputExitsTwoWithOneLineAndWritesNothing(String name, String edit, String expected) throws Exception {
        Path cfg = dir.resolve(name.replace(' ', '-') + ".yaml");
        if (!edit.equals("MISSING")) {
            String yaml = edit.contains("=>") ? RUN.replace(edit.split("=>")[0].strip(), edit.split("=>")[1].strip())
                    : RUN.replace("optim: {lr: 0.01, z_loss: 0.0001}", edit);
            Files.writeString(cfg, yaml);
        }
        Path o = dir.resolve("never-" + name.replace(' ', '-'));
        CliRunner.Result r = cli("train", cfg.toString(), "--out", o.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(Files.exists(o), "nothing may be written on bad input");
    }

    @Test
    void anOutputThatIsAFileIsRefusedBeforeTraining() throws Exception {
        Path cfg = Files.writeString(dir.resolve("ok.yaml"), RUN);
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRunner.Result r = cli("train", cfg.toString(), "--out", file.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("it is a file"), r.err());
        assertEquals("x", Files.readString(file));
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, cli("train").code());
        assertEquals(2, cli("frobnicate").code());
        assertEquals(2, cli("train", "x.yaml", "--out", "o", "--bogus", "1").code());
        assertEquals(0, cli("help").code());
    }
}
