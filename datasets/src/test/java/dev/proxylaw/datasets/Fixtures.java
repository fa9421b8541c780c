package dev.proxylaw.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The real-text fixture: chapters 1-9 of Persuasion (see src/test/resources/corpus/SOURCE.md). */
public final class Fixtures {
    private Fixtures() {
    }

    public static String persuasion() {
        try (InputStream in = Fixtures.class.getResourceAsStream("/corpus/persuasion-excerpt.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
