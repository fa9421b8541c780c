package dev.proxylaw.datasets;

/** Text to token ids and back. The id and vocabulary size are recorded with every run. */
public interface Tokenizer {
    /** Stable identifier recorded with shards and runs, e.g. {@code byte}. */
    String id();

    int vocabSize();

    int[] encode(String text);

    String decode(int[] tokens);
}
