package dev.proxylaw.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.jobs.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxylaw tokenize} submitted as the shaded jar to a real standalone cluster (2 workers, separate
 * JVMs, Spark's own Arrow): the shards are byte for byte those of local mode in this JVM.
 */
class TokenizeClusterIT {
    static final Path BOOK = Path.of("../datasets/src/test/resources/corpus/persuasion-excerpt.txt");

    @TempDir
    Path dir;

    static List<String> files(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theClusterWritesTheShardsLocalModeWrites() throws Exception {
        Path shadedJar = Path.of(System.getProperty("proxylaw.shadedJar"));
        Path sparkClasspath = Path.of(System.getProperty("proxylaw.sparkClasspath"));
        assertTrue(Files.isRegularFile(shadedJar), "build the shaded jar first (mvn package): " + shadedJar);
        List<String> args = List.of("tokenize", BOOK.toAbsolutePath().toString(), "--tokenizer", "cl100k", "--val-fraction", "0.1",
                "--shard-mb", "0.03");
        Path local = dir.resolve("local");
        CliRunner.Result r = CliRunner.run(Stream.concat(args.stream(), Stream.of("--out", local.toString())).toArray(String[]::new));
        assertEquals(0, r.code(), r.out() + r.err());

        Path remote = dir.resolve("cluster-out");
        Path log = dir.resolve("driver.log");
        try (StandaloneCluster cluster = StandaloneCluster.start(dir.resolve("cluster"), sparkClasspath, 2, 1)) {
            Process driver = cluster.submit(shadedJar, log,
                    Stream.concat(args.stream(), Stream.of("--out", remote.toString())).toList());
            assertTrue(driver.waitFor(240, TimeUnit.SECONDS), "driver did not finish:\n" + Files.readString(log));
            assertEquals(0, driver.exitValue(), Files.readString(log));
        }
        List<String> names = files(local);
        assertEquals(names, files(remote));
        assertTrue(names.size() >= 9, "five units: train and val shards plus the manifest: " + names);
        for (String n : names) {
            assertArrayEquals(Files.readAllBytes(local.resolve(n)), Files.readAllBytes(remote.resolve(n)), n);
        }
    }
}
