package dev.proxylaw.datasets.tokenize;

/** Receives documents in input order. */
@FunctionalInterface
public interface DocumentSink {
    /**
     * @param text the document
     * @param utf8 its UTF-8 bytes (what the split hash and the byte totals see)
     */
    void accept(String text, byte[] utf8);
}
