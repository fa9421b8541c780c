package dev.proxylaw.analysis.fit.laws;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** laws.json to and from {@link LawsDocument}: snake_case keys, the schema version checked on read. */
public final class LawsFile {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private LawsFile() {
    }

    public static void write(LawsDocument doc, OutputStream out) throws IOException {
        JSON.writeValue(out, doc);
    }

    public static String toJson(Object value) throws IOException {
        return JSON.writeValueAsString(value);
    }

    /** Reads laws.json; an IllegalArgumentException whose message says what to do when it is of another version. */
    public static LawsDocument read(InputStream in, String where) throws IOException {
        JsonNode root = JSON.readTree(in);
        int version = root.path("schema_version").asInt(1);
        if (version != LawsDocument.SCHEMA_VERSION) {
            throw new IllegalArgumentException("Cannot read " + where + ": it is laws.json schema version " + version
                    + ", this build reads version " + LawsDocument.SCHEMA_VERSION + ". Run proxylaw fit again to rewrite it.");
        }
        return JSON.treeToValue(root, LawsDocument.class);
    }
}
