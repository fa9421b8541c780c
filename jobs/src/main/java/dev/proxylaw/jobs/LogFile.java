package dev.proxylaw.jobs;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One log file per command: Spark's, Hadoop's and ND4J's warnings (log4j2.properties writes them there,
 * not to the console) and the stack trace of an unexpected error, which the console names by path.
 * {@code PROXYLAW_LOG_DIR} chooses the directory (default: the system temp directory).
 */
final class LogFile {
    static final String PROPERTY = "proxylaw.log.file";

    private LogFile() {
    }

    /** Chooses this process's log file before anything logs; keeps one chosen earlier (a test JVM runs many commands). */
    static Path choose(String command) {
        String set = System.getProperty(PROPERTY);
        if (set != null) {
            return Path.of(set);
        }
        String dir = System.getenv().getOrDefault("PROXYLAW_LOG_DIR", System.getProperty("java.io.tmpdir"));
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now());
        Path p = Path.of(dir, "proxylaw-" + command.replaceAll("[^a-z]", "") + "-" + stamp + "-" + ProcessHandle.current().pid()
                + ".log").toAbsolutePath();
        System.setProperty(PROPERTY, p.toString());
        return p;
    }

    /** Appends the error's stack trace; returns the file, or null when it cannot be written. */
    static Path write(Throwable e) {
        Path p = choose("proxylaw");
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, Instant.now() + " unexpected error\n" + trace, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return p;
        } catch (IOException io) {
            return null;
        }
    }
}
