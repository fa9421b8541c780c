package dev.proxylaw.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unexpected error is one line on the console naming a log file that holds the trace; exit code 1. */
class CliErrorsTest {
    @TempDir
    Path dir;

    @Test
    void anUnexpectedErrorIsOneLineAndALogWithTheTrace() throws Exception {
        // a directory under a runs file's name, holding something that is not Parquet: the summary reader fails
        Path odd = Files.createDirectories(dir.resolve("runs/part-0123456789abcdef.parquet"));
        Files.writeString(odd.resolve("x"), "not parquet");
        CliRunner.Result r = CliRunner.run("status", dir.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        String line = r.err().strip();
        assertTrue(line.startsWith("error: Cannot run 'status': ") && line.contains("The stack trace is in "), line);
        Path log = Path.of(line.replaceAll(".*The stack trace is in (\\S+)\\.$", "$1"));
        assertTrue(Files.readString(log).contains("\tat "), "the log holds the trace: " + log);
    }
}
