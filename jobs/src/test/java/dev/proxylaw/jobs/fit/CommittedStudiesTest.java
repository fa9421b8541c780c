package dev.proxylaw.jobs.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxylaw.jobs.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed studies are a dataset: refitting one from results/ alone, with the command docs/reproductions.md
 * gives, rebuilds its committed laws.json number for number (everything but the source path). A change to the
 * fit that moves a published number fails here until the study is refitted and its write-up checked.
 */
class CommittedStudiesTest {
    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"steplaw"})
    void refittingAStudyGivesItsCommittedLaws(String study) throws Exception {
        Path results = FitCommandTest.repoRoot().resolve("results").resolve(study);
        assertTrue(Files.isRegularFile(results.resolve("laws.json")), "results/" + study + " is committed with its fit");
        assertTrue(Files.isRegularFile(results.resolve("_export.json")), "results/" + study + " is an export");
        Path out = dir.resolve(study);
        CliRunner.Result r = CliRunner.run("fit", results.toString(), "--out", out.toString(), "--loss", "val",
                "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode committed = FitCommandTest.laws(results);
        JsonNode refit = FitCommandTest.laws(out);
        ((ObjectNode) committed).remove("source");
        ((ObjectNode) refit).remove("source");
        assertEquals(committed, refit);
    }
}
