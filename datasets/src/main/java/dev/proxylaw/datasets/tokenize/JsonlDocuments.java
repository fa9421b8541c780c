package dev.proxylaw.datasets.tokenize;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.proxylaw.datasets.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** JSON Lines: one object per line, the document is the string in {@code field}; blank lines are skipped. */
public final class JsonlDocuments {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonlDocuments() {
    }

    /** Reads the records of bytes [start, end) of {@code file}; {@code in} is positioned at max(0, start - 1). */
    public static void read(InputStream in, String file, long start, long end, String field, DocumentSink sink)
            throws IOException {
        LineReader r = new LineReader(in, Math.max(0, start - 1));
        r.skipToLineStartingAtOrAfter(start);
        Utf8 utf8 = new Utf8();
        while (r.position() < end && r.next()) {
            String line = utf8.decode(r.line, r.length, file, r.lineStart);
            if (line.isBlank()) {
                continue;
            }
            String text = field(line, field, file, r.lineStart);
            sink.accept(text, text.getBytes(StandardCharsets.UTF_8));
        }
    }

    static String field(String line, String field, String file, long at) {
        List<String> seen = new ArrayList<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(file, at, "the line is not a JSON object. Each line must be one object, e.g. {\"" + field + "\": \"...\"}");
            }
            String text = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals(field)) {
                    if (v != JsonToken.VALUE_STRING) {
                        throw bad(file, at, "field '" + field + "' is " + v + ", not a string. Pass --field NAME of a text field");
                    }
                    text = p.getText();
                } else {
                    seen.add(name);
                    p.skipChildren();
                }
            }
            if (text == null) {
                throw bad(file, at, "the record has no field '" + field + "' (its fields: " + String.join(", ", seen)
                        + "). Pass --field NAME");
            }
            return text;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad(file, at, "the line is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalStateException(e);   // parsing a String does no I/O
        }
    }

    private static DataException bad(String file, long at, String why) {
        return new DataException("Cannot read " + file + " at byte " + at + ": " + why + ".");
    }
}
