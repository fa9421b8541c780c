package dev.proxylaw.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.io.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Soak: a sweep of many tiny runs on a real standalone cluster while executors are killed (SIGKILL) at
 * random intervals. It must end with every planned run exactly once and no duplicate (run_id, step).
 * The suite runs a small version (24 runs, one per task, 2 kills); {@code -Dproxylaw.soak.runs=500
 * -Dproxylaw.soak.kills=25 -Dproxylaw.soak.gapms=20000 -Dproxylaw.soak.pack=8 -Dproxylaw.soak.baseline=true}
 * is the full soak with the default packing, which also times the same sweep undisturbed.
 */
class SoakClusterIT {
    static final int RUNS = Integer.getInteger("proxylaw.soak.runs", 24);
    static final int MAX_KILLS = Integer.getInteger("proxylaw.soak.kills", 2);
    static final boolean BASELINE = Boolean.getBoolean("proxylaw.soak.baseline");
    static final long SEED = Long.getLong("proxylaw.soak.seed", 7);
    /** Runs per Spark task: 1 keeps the small version's sweep long enough for its kills to land mid-sweep. */
    static final int PACK = Integer.getInteger("proxylaw.soak.pack", 1);

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static Path shadedJar;
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        shadedJar = Path.of(System.getProperty("proxylaw.shadedJar"));
        assertTrue(Files.isRegularFile(shadedJar), "build the shaded jar first (mvn package): " + shadedJar);
        String seeds = IntStream.rangeClosed(1, RUNS).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        spec = Files.writeString(dir.resolve("soak.yaml"), """
                sweep: soak
                run:
                  data: {source: markov, markov_tokens: 4000}
                  model: {d_model: 8, n_layers: 1, n_heads: 1, seq_len: 8}
                  schedule: {type: constant, warmup_steps: 2}
                  train: {batch_size: 2, steps: 20}
                axes:
                  seed: [%s]
                """.formatted(seeds));
        cluster = StandaloneCluster.start(dir.resolve("cluster"), Path.of(System.getProperty("proxylaw.sparkClasspath")), 2, 1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    record Outcome(int code, double wallSeconds, String log) {
    }

    /** Runs the sweep; while it runs, kills up to {@code kills} executors at random intervals. Returns the kill count too. */
    static Outcome sweep(Path out, int kills, int[] killed) throws Exception {
        Path log = dir.resolve(out.getFileName() + ".log");
        long t0 = System.nanoTime();
        Process driver = cluster.submit(shadedJar, log, List.of("sweep", spec.toString(), "--out", out.toString(),
                "--max-attempts", "5", "--pack-size", String.valueOf(PACK)));
        Random random = new Random(SEED);
        long nextKill = Long.MAX_VALUE;
        while (driver.isAlive()) {
            assertTrue(System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(90), "soak did not finish:\n" + Files.readString(log));
            if (killed[0] == 0 && kills > 0 && nextKill == Long.MAX_VALUE && SweepClusterIT.committed(out) >= 1) {
                nextKill = System.nanoTime();   // the first kill as soon as runs are committing: surely mid-sweep
            }
            if (System.nanoTime() >= nextKill) {
                List<ProcessHandle> executors = cluster.executors();
                if (!executors.isEmpty()) {
                    ProcessHandle victim = executors.get(random.nextInt(executors.size()));
                    victim.destroyForcibly();
                    killed[0]++;
                    System.out.printf("soak: killed executor pid %d (%d of %d) with %d runs committed%n", victim.pid(),
                            killed[0], kills, SweepClusterIT.committed(out));
                }
                nextKill = killed[0] < kills ? System.nanoTime() + gapNanos(random) : Long.MAX_VALUE;
            }
            Thread.sleep(100);
        }
        return new Outcome(driver.exitValue(), (System.nanoTime() - t0) / 1e9, Files.readString(log));
    }

    static final int GAP_MS = Integer.getInteger("proxylaw.soak.gapms", 8000);

    /** Uniform in [2 s, 2 s + GAP_MS): long enough for the worker to start a new executor between kills. */
    static long gapNanos(Random random) {
        return TimeUnit.MILLISECONDS.toNanos(2000 + random.nextInt(GAP_MS));
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static void assertExactlyOnce(Path out) throws Exception {
        Ledger l = Ledger.read(new org.apache.hadoop.fs.Path(out.toUri()), new Configuration());
        assertEquals(List.of(), l.damaged());
        assertEquals(RUNS, l.terminal().size());
        SweepClusterIT.assertExactlyOnce(out, RUNS, 20);
    }

    @Test
    void everyRunExactlyOnceWhileExecutorsAreKilled() throws Exception {
        Path out = dir.resolve("soak");
        int[] killed = {0};
        Outcome o = sweep(out, MAX_KILLS, killed);
        assertEquals(0, o.code(), o.log());
        assertTrue(killed[0] >= 1, "no executor was killed: the sweep ended before the first kill");
        assertExactlyOnce(out);
        int sparkRetries = count(o.log(), "Lost task \\S+ in stage");
        int runRetries = count(o.log(), "FAILED, will retry");
        long quarantined = Files.exists(out.resolve(Ledger.QUARANTINE))
                ? Files.walk(out.resolve(Ledger.QUARANTINE)).filter(p -> p.toString().endsWith(".parquet")).count() : 0;
        String figures = String.format("soak: %d runs, %d executors killed, %d tasks retried by Spark, %d run attempts retried "
                + "by the driver, %d files quarantined, wall %.1f s", RUNS, killed[0], sparkRetries, runRetries, quarantined,
                o.wallSeconds());
        if (BASELINE) {
            Outcome calm = sweep(dir.resolve("calm"), 0, new int[] {0});
            assertEquals(0, calm.code(), calm.log());
            assertExactlyOnce(dir.resolve("calm"));
            figures += String.format("; undisturbed %.1f s (%.2fx)", calm.wallSeconds(), o.wallSeconds() / calm.wallSeconds());
        }
        System.out.println(figures);
        Files.writeString(Path.of(System.getProperty("proxylaw.soak.report", dir.resolve("soak.txt").toString())), figures + "\n");
    }
}
