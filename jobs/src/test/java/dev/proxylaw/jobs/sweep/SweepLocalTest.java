package dev.proxylaw.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.CliRunner;
import dev.proxylaw.jobs.spark.Spark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** The sweep on real Spark in local mode: exactly once, resumable, retries, refusals. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepLocalTest {
    static final String SPEC = """
            sweep: local-test
            run:
              data: {source: markov, markov_tokens: 5000}
              model: {d_model: 16, n_layers: 1, n_heads: 2, seq_len: 8}
              schedule: {type: constant, warmup_steps: 2}
              train: {batch_size: 4, steps: 15}
            axes:
              optim.lr: [0.001, 0.01, 50.0]
              seed: [1, 2]
            """;

    @TempDir
    static Path dir;
    static Path spec;
    static Path out;

    @BeforeAll
    static void write() throws Exception {
        spec = Files.writeString(dir.resolve("sweep.yaml"), SPEC);
        out = dir.resolve("out");
    }

    static List<String> files(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).map(x -> p.relativize(x).toString()).sorted().toList();
        }
    }

    static ResultSet query(Statement s, String sql) throws Exception {
        return s.executeQuery(sql.replace("RUNS", "read_parquet('" + out.resolve("runs") + "/*.parquet')")
                .replace("STEPS", "read_parquet('" + out.resolve("steps") + "/*.parquet')"));
    }

    @Test
    @Order(1)
    void everyPlannedRunOnceWithDivergedRunsAsResults() throws Exception {
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("6 runs planned, 0 already in"), r.out());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = query(s, "SELECT count(*) n, count(DISTINCT run_id) ids, sum(CASE WHEN status='COMPLETED' THEN 1 ELSE 0 END) ok, "
                    + "sum(CASE WHEN status='DIVERGED' THEN 1 ELSE 0 END) bad, max(attempt) a, min(sweep_id) sw FROM RUNS");
            rs.next();
            assertEquals(6, rs.getInt("n"));
            assertEquals(6, rs.getInt("ids"));
            assertEquals(4, rs.getInt("ok"));
            assertEquals(2, rs.getInt("bad"), "lr 50 diverges, and is not retried");
            assertEquals(1, rs.getInt("a"));
            assertEquals("local-test", rs.getString("sw"));
            rs = query(s, "SELECT count(*) n FROM (SELECT run_id, step, count(*) c FROM STEPS GROUP BY 1, 2) WHERE c > 1");
            rs.next();
            assertEquals(0, rs.getInt("n"), "no (run_id, step) duplicates");
            rs = query(s, "SELECT count(DISTINCT run_id) n FROM STEPS");
            rs.next();
            assertEquals(6, rs.getInt("n"));
        }
    }

    @Test
    @Order(2)
    void aRerunTrainsNothing() throws Exception {
        List<String> before = files(out);
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("6 already in") && r.out().contains("0 to train"), r.out());
        assertEquals(before, files(out));
    }

    @Test
    @Order(3)
    void anotherPlanIsRefusedAndNothingChanges() throws Exception {
        List<String> before = files(out);
        Path other = Files.writeString(dir.resolve("other.yaml"), SPEC.replace("[0.001, 0.01, 50.0]", "[0.001, 0.003]"));
        CliRunner.Result r = CliRunner.run("sweep", other.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds another plan"), r.err());
        assertEquals(before, files(out));
    }

    @Test
    @Order(4)
    void statusSummarisesFromTheDatasetAlone() {
        CliRunner.Result r = CliRunner.run("status", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sweep local-test"), r.out());
        assertTrue(r.out().contains("planned     6") && r.out().contains("pending     0"), r.out());
        assertTrue(r.out().contains("completed   4") && r.out().contains("diverged    2"), r.out());
        assertEquals(2, CliRunner.run("status", dir.resolve("nothing-here").toString()).code());
    }

    @Test
    @Order(5)
    void failedRunsAreRetriedUpToTheLimitWithTheErrorKept() throws Exception {
        Path failing = dir.resolve("failing");
        // a timeout of 1 ms fails every run after its first step
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", failing.toString(), "--master", "local[2]",
                "--timeout-minutes", "0.0000167", "--max-attempts", "2");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("will retry") && r.out().contains("giving up"), r.out());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) n, count(DISTINCT run_id) ids, max(attempt) a, "
                    + "sum(CASE WHEN error LIKE 'timeout%' THEN 1 ELSE 0 END) t FROM read_parquet('" + failing.resolve("runs") + "/*.parquet')");
            rs.next();
            assertEquals(12, rs.getInt("n"), "6 runs x 2 attempts, each a FAILED row");
            assertEquals(6, rs.getInt("ids"));
            assertEquals(2, rs.getInt("a"));
            assertEquals(12, rs.getInt("t"));
        }
        assertFalse(Files.list(failing.resolve("steps")).findAny().isPresent(), "failed attempts leave no steps");
        CliRunner.Result again = CliRunner.run("sweep", spec.toString(), "--out", failing.toString(), "--master", "local[2]",
                "--max-attempts", "2");
        assertTrue(again.out().contains("6 given up after 2 attempts, 0 to train"), again.out());
    }

    @Test
    @Order(6)
    void sparkReadsTheDatasetsToo() {
        SparkSession spark = Spark.session("read test", "local[1]", Map.of());
        try {
            Dataset<Row> runs = spark.read().parquet(out.resolve("runs").toString());
            Dataset<Row> steps = spark.read().parquet(out.resolve("steps").toString());
            assertEquals(6, runs.count());
            assertEquals(4, runs.filter("status = 'COMPLETED'").count());
            assertEquals(6, steps.select("run_id").distinct().count());
            assertEquals("array<double>", steps.schema().apply("max_attn_logit").dataType().simpleString());
            Row joined = runs.join(steps, "run_id").groupBy().count().first();
            assertEquals(steps.count(), joined.getLong(0), "every step row joins its run row");
        } finally {
            spark.stop();
        }
    }

    @Test
    @Order(7)
    void anUnreachableMasterIsRefusedBeforeAnythingIsWritten() {
        Path never = dir.resolve("never");
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", never.toString(), "--master", "spark://127.0.0.1:9");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Cannot reach the Spark master spark://127.0.0.1:9"), r.err());
        assertFalse(Files.exists(never));
    }

    @Test
    @Order(8)
    void aSoloSweepOfTheSameSpecGivesThePackedSweepsLossesAndDivergedRuns() throws Exception {
        // the sweep above trained packed (the default); this one trains every run alone
        Path solo = dir.resolve("solo");
        CliRunner.Result r = CliRunner.run("sweep", spec.toString(), "--out", solo.toString(), "--master", "local[2]",
                "--pack-size", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT p.run_id, p.status ps, o.status os, p.diverged_step pd, o.diverged_step od, "
                    + "p.final_loss pl, o.final_loss ol, p.smoothed_loss psm, o.smoothed_loss osm FROM read_parquet('"
                    + out.resolve("runs") + "/*.parquet') p JOIN read_parquet('" + solo.resolve("runs") + "/*.parquet') o "
                    + "USING (run_id) ORDER BY run_id");
            int n = 0;
            int diverged = 0;
            while (rs.next()) {
                n++;
                String id = rs.getString("run_id");
                assertEquals(rs.getString("os"), rs.getString("ps"), id + " status");
                assertEquals(rs.getObject("od"), rs.getObject("pd"), id + " diverged step");
                if (rs.getString("ps").equals("DIVERGED")) {
                    diverged++;
                    continue;
                }
                // float32: the pack's products are summed in another order, so equal within rounding
                assertEquals(rs.getDouble("ol"), rs.getDouble("pl"), 1e-4 * Math.abs(rs.getDouble("ol")), id + " final loss");
                assertEquals(rs.getDouble("osm"), rs.getDouble("psm"), 1e-4 * Math.abs(rs.getDouble("osm")), id + " smoothed");
            }
            assertEquals(6, n, "every run in both");
            assertEquals(2, diverged);
        }
    }
}
