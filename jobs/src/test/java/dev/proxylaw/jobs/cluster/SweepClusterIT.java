package dev.proxylaw.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep on a real standalone cluster (master + 2 workers, separate JVMs), submitted as the shaded
 * jar: a killed driver is re-run and trains only the rest; a worker lost mid-sweep does not stop it;
 * either way every planned run appears exactly once.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepClusterIT {
    static final int RUNS = 8;
    static final String SPEC = """
            sweep: cluster-test
            run:
              data: {source: markov, markov_tokens: 20000}
              model: {d_model: 32, n_layers: 2, n_heads: 4, seq_len: 32}
              schedule: {type: cosine, warmup_steps: 10}
              train: {batch_size: 8, steps: 200}
            axes:
              optim.lr: [0.001, 0.002, 0.004, 0.008]
              seed: [1, 2]
            """;

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static Path shadedJar;
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        shadedJar = Path.of(System.getProperty("proxylaw.shadedJar"));
        Path sparkClasspath = Path.of(System.getProperty("proxylaw.sparkClasspath"));
        assertTrue(Files.isRegularFile(shadedJar), "build the shaded jar first (mvn package): " + shadedJar);
        spec = Files.writeString(dir.resolve("sweep.yaml"), SPEC);
        cluster = StandaloneCluster.start(dir.resolve("cluster"), sparkClasspath, 2, 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static long committed(Path out) throws Exception {
        Path runs = out.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(p -> p.getFileName().toString().matches("part-[0-9a-f]{16}\\.parquet")).count();
        }
    }

    static void awaitCommitted(Path out, long n, Process driver, Path log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (committed(out) < n) {
            assertTrue(driver.isAlive(), "driver ended early:\n" + Files.readString(log));
            assertTrue(System.nanoTime() < end, "no progress:\n" + Files.readString(log));
            Thread.sleep(200);
        }
    }

    static int finish(Process driver, Path log) throws Exception {
        assertTrue(driver.waitFor(300, TimeUnit.SECONDS), "driver did not finish:\n" + Files.readString(log));
        return driver.exitValue();
    }

    static void assertExactlyOnce(Path out) throws Exception {
        assertExactlyOnce(out, RUNS, 200);
    }

    /** Every planned run exactly once: one terminal row each, no duplicate (run_id, step), all its steps. */
    static void assertExactlyOnce(Path out, int runs, int stepsPerRun) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) n, count(DISTINCT run_id) ids FROM read_parquet('"
                    + out.resolve("runs") + "/*.parquet') WHERE status IN ('COMPLETED', 'DIVERGED')");
            rs.next();
            assertEquals(runs, rs.getInt("n"));
            assertEquals(runs, rs.getInt("ids"));
            rs = s.executeQuery("SELECT count(*) dup FROM (SELECT run_id, step FROM read_parquet('" + out.resolve("steps")
                    + "/*.parquet') GROUP BY 1, 2 HAVING count(*) > 1)");
            rs.next();
            assertEquals(0, rs.getInt("dup"));
            rs = s.executeQuery("SELECT count(DISTINCT run_id) ids, count(*) n FROM read_parquet('" + out.resolve("steps") + "/*.parquet')");
            rs.next();
            assertEquals(runs, rs.getInt("ids"));
            assertEquals(runs * stepsPerRun, rs.getInt("n"));
        }
    }

    @Test
    @Order(1)
    void aKilledDriverIsRerunAndTrainsOnlyTheRest() throws Exception {
        Path out = dir.resolve("driver-kill");
        Path log1 = dir.resolve("driver-1.log");
        // packs of 2 (4 packs on 2 task slots): members commit as packs end, so the kill lands between packs
        Process driver = cluster.submit(shadedJar, log1, List.of("sweep", spec.toString(), "--out", out.toString(),
                "--pack-size", "2"));
        awaitCommitted(out, 2, driver, log1);
        StandaloneCluster.kill(driver);
        long before = committed(out);
        assertTrue(before >= 2 && before < RUNS, "the driver died mid-sweep with " + before + " runs committed");
        Thread.sleep(3000);   // the master removes the dead application and its executors
        Path log2 = dir.resolve("driver-2.log");
        int code = finish(cluster.submit(shadedJar, log2, List.of("sweep", spec.toString(), "--out", out.toString(),
                "--pack-size", "2")), log2);
        String text = Files.readString(log2);
        assertEquals(0, code, text);
        long already = Long.parseLong(text.replaceAll("(?s).*planned, (\\d+) already in.*", "$1"));
        assertTrue(already >= before && already < RUNS, "re-run skipped " + already + " of " + before + " committed:\n" + text);
        System.out.printf("driver killed with %d of %d runs committed; the re-run found %d and trained %d%n", before, RUNS,
                already, RUNS - already);
        assertExactlyOnce(out);
    }

    @Test
    @Order(2)
    void aWorkerLostMidSweepDoesNotLoseOrDuplicateRuns() throws Exception {
        Path out = dir.resolve("worker-kill");
        Path log = dir.resolve("driver-3.log");
        Process driver = cluster.submit(shadedJar, log, List.of("sweep", spec.toString(), "--out", out.toString()));
        awaitCommitted(out, 2, driver, log);
        cluster.killWorker(1);
        System.out.printf("worker 1 killed with %d of %d runs committed%n", committed(out), RUNS);
        int code = finish(driver, log);
        assertEquals(0, code, Files.readString(log));
        assertEquals(1, cluster.aliveWorkers());
        assertExactlyOnce(out);
    }
}
