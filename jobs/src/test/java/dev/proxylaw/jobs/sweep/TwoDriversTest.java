package dev.proxylaw.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.cluster.StandaloneCluster;
import dev.proxylaw.jobs.io.DriverLease;
import dev.proxylaw.jobs.io.Ledger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real drivers (separate JVMs) on one output directory: the second refuses while the first holds the
 * lease; once the first is killed, a third takes the dead driver's lease over and finishes the sweep,
 * every run once (DriverLeaseTest covers leases that expire by time). None of them prints Spark's own log lines on the console.
 */
class TwoDriversTest {
    static final int RUNS = 8;
    static final String SPEC = """
            sweep: two-drivers
            run:
              data: {source: markov, markov_tokens: 5000}
              model: {d_model: 16, n_layers: 1, n_heads: 2, seq_len: 8}
              schedule: {type: constant, warmup_steps: 2}
              train: {batch_size: 4, steps: 200}
            axes:
              optim.lr: [0.001, 0.002, 0.004, 0.008]
              seed: [1, 2]
            """;

    @TempDir
    Path dir;

    Process driver(Path spec, Path out, String name, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g"));
        StandaloneCluster.OPENS.forEach(p -> cmd.add("--add-opens=java.base/" + p + "=ALL-UNNAMED"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.proxylaw.jobs.Cli", "sweep", spec.toString(),
                "--out", out.toString(), "--master", "local[1]"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("PROXYLAW_LOG_DIR", dir.resolve("logs").toString());
        pb.environment().remove("PROXYLAW_LOG");
        return pb.start();
    }

    String read(String name) throws Exception {
        return Files.readString(dir.resolve(name));
    }

    @Test
    void aSecondDriverRefusesAndACrashedDriversLeaseExpires() throws Exception {
        Path spec = Files.writeString(dir.resolve("sweep.yaml"), SPEC);
        Path out = dir.resolve("out");
        Process a = driver(spec, out, "a", "--lease-seconds", "4");
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!(Files.exists(out.resolve(DriverLease.FILE)) && read("a.out").contains("to train"))) {
                assertTrue(a.isAlive(), "driver a ended early: " + read("a.out") + read("a.err"));
                assertTrue(System.nanoTime() < end, "driver a did not start: " + read("a.out") + read("a.err"));
                Thread.sleep(200);
            }
            Process b = driver(spec, out, "b");
            assertTrue(b.waitFor(120, TimeUnit.SECONDS));
            assertTrue(a.isAlive(), "driver a must still hold the lease for this test to mean anything: " + read("a.out"));
            assertEquals(2, b.exitValue(), read("b.out") + read("b.err"));
            assertEquals(1, read("b.err").strip().lines().count(), read("b.err"));
            assertTrue(read("b.err").contains("another driver is training into it"), read("b.err"));
            assertFalse(read("b.out").contains("to train"), "the second driver planned nothing: " + read("b.out"));
        } finally {
            StandaloneCluster.kill(a);
        }
        assertTrue(Files.exists(out.resolve(DriverLease.FILE)), "a killed driver leaves its lease behind");
        Process c = driver(spec, out, "c", "--wait", "true");
        assertTrue(c.waitFor(300, TimeUnit.SECONDS), read("c.out") + read("c.err"));
        assertEquals(0, c.exitValue(), read("c.out") + read("c.err"));
        assertTrue(read("c.out").contains("its process is gone") && read("c.out").contains("taking it over"), read("c.out"));
        assertFalse(Files.exists(out.resolve(DriverLease.FILE)), "released at the end");
        Ledger l = Ledger.read(new org.apache.hadoop.fs.Path(out.toUri()), new Configuration());
        assertEquals(RUNS, l.terminal().size());
        assertEquals(List.of(), l.damaged());
        for (String name : List.of("a.err", "b.err", "c.err")) {
            assertFalse(read(name).contains(" WARN ") || read(name).contains(" ERROR "), name + ": " + read(name));
        }
    }
}
