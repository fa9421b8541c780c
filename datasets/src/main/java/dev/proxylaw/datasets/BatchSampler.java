package dev.proxylaw.datasets;

import java.util.SplittableRandom;

/**
 * Random training windows that depend only on (seed, step), so a resumed or retried run sees
 * exactly the same data; validation batches are fixed, evenly spaced windows of the held-out split.
 */
public final class BatchSampler {
    private final TokenCorpus corpus;
    private final int batch;
    private final int seqLen;
    private final long seed;

    public BatchSampler(TokenCorpus corpus, int batch, int seqLen, long seed) {
        if (corpus.train().length < seqLen + 2) {
            throw new IllegalArgumentException("Cannot sample from corpus " + corpus.id() + ": its training split has "
                    + corpus.train().length + " tokens, fewer than seq_len + 2 = " + (seqLen + 2)
                    + ". Use a larger corpus or a shorter seq_len.");
        }
        if (corpus.val().length < seqLen + 1) {
            throw new IllegalArgumentException("Cannot sample from corpus " + corpus.id() + ": its validation split has "
                    + corpus.val().length + " tokens, fewer than seq_len + 1 = " + (seqLen + 1)
                    + ". Raise val_fraction or use a larger corpus.");
        }
        this.corpus = corpus;
        this.batch = batch;
        this.seqLen = seqLen;
        this.seed = seed;
    }

    /** The training batch of a step: a pure function of (seed, step). */
    public Batch train(long step) {
        SplittableRandom rng = new SplittableRandom(mix(seed, step));
        int[] data = corpus.train();
        int maxStart = data.length - seqLen - 1;
        int[] in = new int[batch * seqLen];
        int[] tg = new int[batch * seqLen];
        for (int b = 0; b < batch; b++) {
            int start = rng.nextInt(maxStart + 1);
            System.arraycopy(data, start, in, b * seqLen, seqLen);
            System.arraycopy(data, start + 1, tg, b * seqLen, seqLen);
        }
        return new Batch(batch, seqLen, in, tg);
    }

    /** Validation batch k of {@code count}: windows spread evenly over the held-out split. */
    public Batch validation(int k, int count) {
        int[] data = corpus.val();
        int maxStart = data.length - seqLen - 1;
        int[] in = new int[batch * seqLen];
        int[] tg = new int[batch * seqLen];
        int windows = batch * count;
        for (int b = 0; b < batch; b++) {
            int w = k * batch + b;
            int start = windows <= 1 ? 0 : (int) ((long) maxStart * w / (windows - 1));
            System.arraycopy(data, start, in, b * seqLen, seqLen);
            System.arraycopy(data, start + 1, tg, b * seqLen, seqLen);
        }
        return new Batch(batch, seqLen, in, tg);
    }

    public int batchSize() {
        return batch;
    }

    public int seqLen() {
        return seqLen;
    }

    /** SplitMix64 finaliser over (seed, step): independent streams per step. */
    static long mix(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
