package dev.proxylaw.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the commands refuse about Spark's settings: one line, exit code 2, nothing written. */
class SparkOptionsTest {
    static final Path YARN = Path.of("../conf/spark/yarn.properties");
    static final Path STANDALONE = Path.of("../conf/spark/standalone.properties");
    static final Path DEMO = Path.of("../conf/sweeps/demo.yaml");

    @TempDir
    Path dir;

    static void assertOneLineRefusal(CliRunner.Result r, String start) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: " + start), r.err());
    }

    @Test
    void aClusterDeployModeNamesTheSparkSubmitCommandAndWritesNothing() {
        Path out = dir.resolve("out");
        CliRunner.Result r = CliRunner.run("sweep", DEMO.toString(), "--properties", YARN.toString(), "--out", out.toString(),
                "--conf", "spark.executor.memory=4g");
        assertOneLineRefusal(r, "Cannot start a cluster-mode driver from ./proxylaw");
        assertTrue(r.err().endsWith("run: spark-submit --properties-file " + YARN + " --conf spark.executor.memory=4g "
                + "--class dev.proxylaw.jobs.Cli jobs/target/proxylaw-jobs-0.1.0-SNAPSHOT-spark.jar sweep " + DEMO
                + " --out " + out + "\n"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void theGuidanceComesEvenWithoutOut() {
        assertOneLineRefusal(CliRunner.run("sweep", DEMO.toString(), "--properties", YARN.toString()),
                "Cannot start a cluster-mode driver from ./proxylaw");
    }

    @Test
    void everySparkCommandTakesProperties() {
        for (String[] argv : new String[][] {{"fit", dir.toString()}, {"report", dir.toString()},
            {"tokenize", DEMO.toString(), "--out", dir.resolve("t").toString()}, {"demo", "--out", dir.resolve("d").toString()}}) {
            String[] withProps = java.util.Arrays.copyOf(argv, argv.length + 1);
            withProps[argv.length] = "--properties=" + YARN;
            assertOneLineRefusal(CliRunner.run(withProps), "Cannot start a cluster-mode driver");
        }
    }

    @Test
    void aYarnMasterWithoutYarnSupportIsRefusedInOneLine() {
        CliRunner.Result r = CliRunner.run("sweep", DEMO.toString(), "--master=yarn", "--out", dir.resolve("out").toString());
        assertOneLineRefusal(r, "Cannot start Spark on master yarn from ./proxylaw");
        assertTrue(r.err().contains("spark-submit --master yarn --class dev.proxylaw.jobs.Cli"), r.err());
    }

    @Test
    void anAuthenticatedClusterNeedsASecret() throws Exception {
        Path out = dir.resolve("out");
        assertOneLineRefusal(CliRunner.run("sweep", DEMO.toString(), "--properties", STANDALONE.toString(), "--out",
                out.toString()), "Cannot join a Spark cluster with spark.authenticate=true: no secret is given");
        Path empty = Files.writeString(dir.resolve("secret"), "\n");
        assertOneLineRefusal(CliRunner.run("sweep", DEMO.toString(), "--properties", STANDALONE.toString(), "--conf",
                "spark.authenticate.secret.file=" + empty, "--out", out.toString()), "Cannot use the Spark secret file");
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingPropertiesFileIsNamed() {
        assertOneLineRefusal(CliRunner.run("sweep", DEMO.toString(), "--properties", "conf/spark/nope.properties", "--out",
                dir.resolve("out").toString()), "Cannot read --properties conf/spark/nope.properties: the file does not exist");
    }
}
