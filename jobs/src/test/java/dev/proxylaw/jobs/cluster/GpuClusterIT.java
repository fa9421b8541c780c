package dev.proxylaw.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone cluster as conf/spark/gpu-standalone.properties describes one, on stand-in GPUs: one worker
 * whose nvidia-smi lists an A100, an A10 and an H200, with CUDA_VISIBLE_DEVICES=1,0 (the H200 hidden, and
 * CUDA's order the reverse of nvidia-smi's); like every test cluster, it runs with spark.authenticate.
 */
class GpuClusterIT {
    static final int RUNS = 16;
    static final String SPEC = """
            sweep: gpu-packing
            run:
              data: {source: markov, markov_tokens: 5000}
              model: {d_model: 16, n_layers: 1, n_heads: 2, seq_len: 8}
              schedule: {type: constant, warmup_steps: 2}
              train: {batch_size: 4, steps: 40}
            axes:
              optim.lr: [0.001, 0.002, 0.004, 0.008]
              seed: [1, 2, 3, 4]
            """;
    /** CUDA_VISIBLE_DEVICES=1,0: nvidia-smi's GPU 1 is CUDA's device 0 and GPU 0 is device 1. */
    static final Map<String, String> CUDA_INDEX = Map.of("0", "1", "1", "0");

    @TempDir
    static Path dir;
    static StandaloneCluster cluster;
    static Path shadedJar;
    static Path spec;

    @BeforeAll
    static void start() throws Exception {
        shadedJar = Path.of(System.getProperty("proxylaw.shadedJar"));
        assertTrue(Files.isRegularFile(shadedJar), "build the shaded jar first (mvn package): " + shadedJar);
        spec = Files.writeString(dir.resolve("sweep.yaml"), SPEC);
        Path gpus = Files.writeString(dir.resolve("gpus.txt"),
                FakeGpus.AMPERE_PAIR + "2, GPU-cccc, 00000000:B3:00.0, 9.0, NVIDIA H200\n");
        Map<String, String> workerGpus = Map.of("spark.worker.resource.gpu.amount", "2",
                "spark.worker.resource.gpu.discoveryScript", FakeGpus.DISCOVERY.toString());
        Map<String, String> env = Map.of("PATH", FakeGpus.install(dir.resolve("bin")) + ":" + System.getenv("PATH"),
                "FAKE_GPUS", gpus.toString(), "CUDA_VISIBLE_DEVICES", "1,0");
        cluster = StandaloneCluster.start(dir.resolve("cluster"), Path.of(System.getProperty("proxylaw.sparkClasspath")), 1,
                8, workerGpus, env);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static int finish(Process driver, Path log) throws Exception {
        assertTrue(driver.waitFor(300, TimeUnit.SECONDS), "driver did not finish:\n" + Files.readString(log));
        return driver.exitValue();
    }

    @Test
    void fourRunsShareAGpuAndEachRecordsTheCudaDeviceItWasGiven() throws Exception {
        Path out = dir.resolve("packed");
        Path log = dir.resolve("packed.log");
        // the GPU lines of conf/spark/gpu-standalone.properties, on one executor of both GPUs and 8 cores
        int code = finish(cluster.submit(shadedJar, log, List.of("--conf", "spark.executor.cores=8",
                "--conf", "spark.executor.resource.gpu.amount=2", "--conf", "spark.task.resource.gpu.amount=0.25",
                "--conf", "spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID"),
                List.of("sweep", spec.toString(), "--out", out.toString(), "--pack-size", "1")), log);   // a task, a run
        assertEquals(0, code, Files.readString(log));
        Map<String, List<long[]>> spans = new HashMap<>();
        Pattern device = Pattern.compile("^cpu/\\S+ spark-gpu=(\\d+) cuda=(\\d+)$");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT device, finished_at_ms, wall_s FROM read_parquet('" + out.resolve("runs")
                    + "/*.parquet') WHERE status = 'COMPLETED'");
            int n = 0;
            while (rs.next()) {
                n++;
                Matcher m = device.matcher(rs.getString("device"));
                assertTrue(m.matches(), "device: " + rs.getString("device"));
                assertEquals(CUDA_INDEX.get(m.group(1)), m.group(2), "CUDA index of GPU " + m.group(1));
                long end = rs.getLong("finished_at_ms");
                spans.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                        .add(new long[] {end - Math.round(rs.getDouble("wall_s") * 1000), end});
            }
            assertEquals(RUNS, n);
        }
        assertEquals(CUDA_INDEX.keySet(), spans.keySet(), "runs trained on both advertised GPUs");
        for (var e : spans.entrySet()) {
            int most = mostAtOnce(e.getValue());
            System.out.printf("GPU %s: %d runs, at most %d at once%n", e.getKey(), e.getValue().size(), most);
            assertTrue(most <= 4, "GPU " + e.getKey() + " trained " + most + " runs at once; 0.25 GPU per task allows 4");
        }
    }

    /** The most intervals [start, end] open at one instant. */
    static int mostAtOnce(List<long[]> spans) {
        List<long[]> events = new ArrayList<>();
        spans.forEach(s -> {
            events.add(new long[] {s[0], 1});
            events.add(new long[] {s[1], -1});
        });
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));   // ends first
        int open = 0;
        int most = 0;
        for (long[] ev : events) {
            open += (int) ev[1];
            most = Math.max(most, open);
        }
        return most;
    }

    @Test
    void aDriverWithoutTheSecretIsRefusedAndWritesNothing() throws Exception {
        Path out = dir.resolve("refused");
        Path log = dir.resolve("refused.log");
        int code = finish(cluster.submitWithout(shadedJar, log, List.of(), List.of("sweep", spec.toString(), "--out",
                out.toString())), log);
        String text = Files.readString(log);
        assertEquals(2, code, text);
        assertTrue(text.contains("error: Cannot join the Spark master " + cluster.url() + ": it refused this driver"), text);
        assertFalse(Files.exists(out), "nothing written");

        Path wrong = Files.writeString(dir.resolve("wrong-secret"), "not-the-secret\n");
        Path log2 = dir.resolve("wrong.log");
        code = finish(cluster.submitWithout(shadedJar, log2, List.of("--conf", "spark.authenticate=true", "--conf",
                "spark.authenticate.secret.file=" + wrong), List.of("sweep", spec.toString(), "--out", out.toString())), log2);
        text = Files.readString(log2);
        assertEquals(2, code, text);
        assertTrue(text.contains("it refused this driver") && text.contains("Give the cluster's own secret"), text);
        assertFalse(Files.exists(out), "nothing written");
    }
}
