package dev.proxylaw.datasets;

import java.util.SplittableRandom;

/**
 * Random training windows that depend only on (seed, step), so a resumed or retried run sees
 * exactly the same data; validation batches are fixed, evenly spaced windows of the held-out split.
 *
 * <p>Every batch holds exactly {@code batch * seqLen} input tokens. A window may cross a shard
 * boundary: the token source is one stream. Window starts are drawn with {@code nextInt} while the
 * training stream has fewer than 2^31 windows (the original sampler, so in-memory corpora give the
 * same batches as before, bit for bit) and with {@code nextLong} beyond.
 */
public final class BatchSampler {
    private final TokenCorpus corpus;
    private final int batch;
    private final int seqLen;
    private final long seed;

    public BatchSampler(TokenCorpus corpus, int batch, int seqLen, long seed) {
        long nTrain = corpus.train().size();
        long nVal = corpus.val().size();
        if (nTrain < seqLen + 2L) {
            throw new IllegalArgumentException("Cannot sample from corpus " + corpus.id() + ": its training split has "
                    + nTrain + " tokens, fewer than seq_len + 2 = " + (seqLen + 2)
                    + ". Use a larger corpus or a shorter seq_len.");
        }
        if (nVal < seqLen + 1L) {
            throw new IllegalArgumentException("Cannot sample from corpus " + corpus.id() + ": its validation split has "
                    + nVal + " tokens, fewer than seq_len + 1 = " + (seqLen + 1)
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
        TokenSource data = corpus.train();
        long windows = data.size() - seqLen;   // starts 0 .. size - seqLen - 1
        int[] in = new int[batch * seqLen];
        int[] tg = new int[batch * seqLen];
        int[] window = new int[seqLen + 1];
        for (int b = 0; b < batch; b++) {
            long start = windows <= Integer.MAX_VALUE ? rng.nextInt((int) windows) : rng.nextLong(windows);
            cut(data, start, window, in, tg, b);
        }
        return new Batch(batch, seqLen, in, tg);
    }

    /** Validation batch k of {@code count}: windows spread evenly over the held-out split. */
    public Batch validation(int k, int count) {
        TokenSource data = corpus.val();
        long maxStart = data.size() - seqLen - 1;
        int[] in = new int[batch * seqLen];
        int[] tg = new int[batch * seqLen];
        int[] window = new int[seqLen + 1];
        int windows = batch * count;
        for (int b = 0; b < batch; b++) {
            int w = k * batch + b;
            long start = windows <= 1 ? 0 : spread(maxStart, w, windows - 1);
            cut(data, start, window, in, tg, b);
        }
        return new Batch(batch, seqLen, in, tg);
    }

    /** floor(max * w / n) without overflow for any long max: (q*n + r) * w / n = q*w + r*w/n. */
    static long spread(long max, long w, long n) {
        return max / n * w + max % n * w / n;
    }

    /** Tokens the training split holds: steps * batch * seq_len over this is the number of epochs. */
    public long trainTokens() {
        return corpus.train().size();
    }

    public long valTokens() {
        return corpus.val().size();
    }

    /** One read of seqLen + 1 tokens: inputs are the first seqLen, targets the last seqLen. */
    private void cut(TokenSource data, long start, int[] window, int[] in, int[] tg, int b) {
        data.read(start, window, 0, seqLen + 1);
        System.arraycopy(window, 0, in, b * seqLen, seqLen);
        System.arraycopy(window, 1, tg, b * seqLen, seqLen);
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
