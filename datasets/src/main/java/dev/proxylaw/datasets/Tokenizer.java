package dev.proxylaw.datasets;

/** Text to token ids and back. The id and vocabulary size are recorded with every shard and every run. */
public interface Tokenizer {
    /** Stable identifier recorded with shards and runs: {@code byte}, {@code gpt2}, {@code cl100k}. */
    String id();

    /** Every id this tokenizer can emit is below this; it sizes the model's embedding. */
    int vocabSize();

    /**
     * The end-of-text token written after every document, or -1 when the tokenizer has none (bytes:
     * all 256 ids are text, and an extra id would change the vocabulary of existing byte-level runs).
     */
    default int eot() {
        return -1;
    }

    /** Tokens of ordinary text: special-token strings in it (e.g. {@code <|endoftext|>}) are plain text. */
    int[] encode(String text);

    String decode(int[] tokens);
}
