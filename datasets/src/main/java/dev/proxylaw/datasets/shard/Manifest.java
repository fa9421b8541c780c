package dev.proxylaw.datasets.shard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;

/**
 * {@code manifest.json} beside the shards: what went in, what came out, with totals. Written last by
 * {@code proxylaw tokenize}, so a directory with a manifest is complete. It holds no time stamp:
 * the same input gives the same manifest, byte for byte.
 *
 * @param inputs the input files in the order they were read, with their sizes
 * @param train totals of the training split; {@code bytes} are UTF-8 bytes of the documents' text
 * @param shards every shard file, train first, in stream order
 */
public record Manifest(String format, int version, String tokenizer, int vocabSize, int eot, String dtype,
                       String inputFormat, String field, double valFraction, List<Input> inputs,
                       Totals train, Totals val, List<Entry> shards) {
    public static final String FILE = "manifest.json";
    public static final String FORMAT = "proxylaw-token-shards";

    public record Input(String path, long bytes) {
    }

    public record Totals(long documents, long tokens, long bytes) implements java.io.Serializable {
        public Totals plus(Totals o) {
            return new Totals(documents + o.documents, tokens + o.tokens, bytes + o.bytes);
        }

        public static final Totals ZERO = new Totals(0, 0, 0);
    }

    /** One shard file, named relative to the manifest. */
    public record Entry(String file, String split, long documents, long tokens, long bytes) {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true)
            .build();

    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write manifest: " + e.getMessage(), e);
        }
    }

    /** Parses a manifest; null when the text is not one (the caller names the file in its error). */
    public static Manifest parse(String json) {
        try {
            Manifest m = JSON.readValue(json, Manifest.class);
            return m != null && FORMAT.equals(m.format()) && m.shards() != null ? m : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
