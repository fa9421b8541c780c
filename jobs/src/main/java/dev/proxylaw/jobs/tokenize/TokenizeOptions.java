package dev.proxylaw.jobs.tokenize;

import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.jobs.UserError;
import java.io.Serializable;
import java.util.List;

/**
 * What {@code proxylaw tokenize} was asked to do, validated before any file is read.
 *
 * @param format {@code text} (paragraph documents), {@code jsonl} (one object per line) or {@code parquet}
 * @param field the JSONL key or Parquet column holding the text
 * @param shardBytes input bytes per task and per shard pair: bounds a task's memory and a shard's size
 */
public record TokenizeOptions(List<String> inputs, String out, String format, String field, String tokenizer,
                              double valFraction, long shardBytes) implements Serializable {
    public static final long MAX_SHARD_BYTES = 1L << 30;

    public TokenizeOptions {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) {
            throw new UserError("Cannot tokenize: no INPUT given. Name files, directories or globs (any Hadoop path).");
        }
        if (!List.of("text", "jsonl", "parquet").contains(format)) {
            throw new UserError("Cannot tokenize: --format " + format + " is not known. Use text, jsonl or parquet.");
        }
        if (format.equals("text") && field != null) {
            throw new UserError("Cannot tokenize: --field is for jsonl and parquet; text files have no fields. Remove it.");
        }
        Tokenizers.byId(tokenizer);   // unknown ids fail here, naming the known ones
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new UserError("Cannot tokenize: --val-fraction " + valFraction + " must lie strictly between 0 and 1 (e.g. 0.01).");
        }
        if (shardBytes < 1024 || shardBytes > MAX_SHARD_BYTES) {
            throw new UserError("Cannot tokenize: --shard-mb must give between 1 KiB and 1024 MiB of input per shard.");
        }
    }

    /** The field actually read: {@code text} unless --field names another. */
    public String fieldOrDefault() {
        return field == null ? "text" : field;
    }
}
