package dev.proxylaw.datasets;

/**
 * A read-only stream of token ids addressed by a long position: an in-memory array, or the
 * concatenation of memory-mapped shards, which together may hold more than 2^31 tokens.
 * Implementations are safe to read from several threads.
 */
public interface TokenSource {
    long size();

    /** Copies tokens [start, start + len) into dst[off ..]; the range must lie inside [0, size()). */
    void read(long start, int[] dst, int off, int len);

    static TokenSource of(int[] tokens) {
        return new ArraySource(tokens);
    }

    /** An int[] on the heap: the Markov corpus and the byte-level text file. */
    record ArraySource(int[] tokens) implements TokenSource {
        @Override
        public long size() {
            return tokens.length;
        }

        @Override
        public void read(long start, int[] dst, int off, int len) {
            System.arraycopy(tokens, Math.toIntExact(start), dst, off, len);
        }
    }
}
