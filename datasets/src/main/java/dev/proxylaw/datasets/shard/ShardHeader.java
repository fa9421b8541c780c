package dev.proxylaw.datasets.shard;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every shard says about itself, stored as the Arrow schema's metadata (pyarrow:
 * {@code schema.metadata}). Version 1 layout: one column {@code tokens: list<dtype not null> not null},
 * one row per document (its tokens, then the end-of-text token when the tokenizer has one), one record batch.
 *
 * @param split {@code train} or {@code val}
 * @param eot the end-of-text id appended to every document, or -1 (byte tokenizer)
 */
public record ShardHeader(int version, Dtype dtype, long tokens, long documents, String tokenizer, int vocabSize,
                          int eot, String split) {
    public static final String FORMAT = "proxylaw-token-shard";
    public static final int VERSION = 1;
    public static final String COLUMN = "tokens";
    static final String KEY_FORMAT = "proxylaw.format";
    static final String KEY_VERSION = "proxylaw.version";

    public ShardHeader {
        if (version != VERSION || dtype == null || tokens < 0 || documents < 0 || tokenizer == null || vocabSize < 2
                || eot >= vocabSize || !(split.equals("train") || split.equals("val"))
                || dtype != Dtype.forVocab(vocabSize)) {
            throw new IllegalArgumentException("Cannot describe shard: inconsistent header " + version + "/" + dtype + "/"
                    + tokens + "/" + documents + "/" + tokenizer + "/" + vocabSize + "/" + eot + "/" + split + ".");
        }
    }

    /** The schema metadata, in a fixed order so that the same shard always has the same bytes. */
    Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY_FORMAT, FORMAT);
        m.put(KEY_VERSION, String.valueOf(version));
        m.put("proxylaw.dtype", dtype.id());
        m.put("proxylaw.tokens", String.valueOf(tokens));
        m.put("proxylaw.documents", String.valueOf(documents));
        m.put("proxylaw.tokenizer", tokenizer);
        m.put("proxylaw.vocab_size", String.valueOf(vocabSize));
        m.put("proxylaw.eot", String.valueOf(eot));
        m.put("proxylaw.split", split);
        return m;
    }

    /** Parses the metadata; returns a reason instead of a header when it is not ours or not this version. */
    static Object fromMetadata(Map<String, String> m) {
        if (m == null || !FORMAT.equals(m.get(KEY_FORMAT))) {
            return "it is not a proxylaw token shard (no '" + KEY_FORMAT + "=" + FORMAT + "' in its schema metadata)";
        }
        if (!String.valueOf(VERSION).equals(m.get(KEY_VERSION))) {
            return "it has shard format version " + m.get(KEY_VERSION) + ", this build reads version " + VERSION;
        }
        try {
            Dtype dtype = Dtype.byId(m.get("proxylaw.dtype"));
            if (dtype == null) {
                return "its dtype '" + m.get("proxylaw.dtype") + "' is not uint8, uint16 or int32";
            }
            return new ShardHeader(VERSION, dtype, Long.parseLong(m.get("proxylaw.tokens")),
                    Long.parseLong(m.get("proxylaw.documents")), m.get("proxylaw.tokenizer"),
                    Integer.parseInt(m.get("proxylaw.vocab_size")), Integer.parseInt(m.get("proxylaw.eot")),
                    String.valueOf(m.get("proxylaw.split")));
        } catch (RuntimeException e) {
            return "its header metadata is incomplete or malformed (" + e.getMessage() + ")";
        }
    }
}
