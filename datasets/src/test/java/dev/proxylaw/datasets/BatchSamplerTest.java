package dev.proxylaw.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.shard.ConcatSource;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
    static TokenCorpus markov() {
        return TokenCorpus.split("m", "byte", 256, MarkovCorpus.standard(1234).generate(50_000, 0), 0.1);
    }

    @Test
    void batchesArePureFunctionsOfSeedAndStep() {
        BatchSampler a = new BatchSampler(markov(), 8, 32, 7);
        BatchSampler b = new BatchSampler(markov(), 8, 32, 7);
        for (long step : new long[] {0, 1, 99, 1L << 40}) {
            assertArrayEquals(a.train(step).inputs(), b.train(step).inputs());
            assertArrayEquals(a.train(step).targets(), b.train(step).targets());
        }
        assertFalse(Arrays.equals(a.train(0).inputs(), a.train(1).inputs()));
        assertFalse(Arrays.equals(a.train(0).inputs(), new BatchSampler(markov(), 8, 32, 8).train(0).inputs()));
        assertArrayEquals(a.validation(2, 4).inputs(), b.validation(2, 4).inputs());
        assertEquals(8 * 32, a.train(3).tokens(), "exactly batch x seq_len tokens per step");
    }

    /** The sampler before token sources existed, verbatim: in-memory corpora must give the same batches. */
    static int[][] oldSampler(int[] train, int[] val, int batch, int seqLen, long seed, long step, int k, int count) {
        SplittableRandom rng = new SplittableRandom(BatchSampler.mix(seed, step));
        int maxStart = train.length - seqLen - 1;
        int[] in = new int[batch * seqLen];
        for (int b = 0; b < batch; b++) {
            int start = rng.nextInt(maxStart + 1);
            System.arraycopy(train, start, in, b * seqLen, seqLen);
        }
        int vmax = val.length - seqLen - 1;
        int[] vin = new int[batch * seqLen];
        int windows = batch * count;
        for (int b = 0; b < batch; b++) {
            int w = k * batch + b;
            int start = windows <= 1 ? 0 : (int) ((long) vmax * w / (windows - 1));
            System.arraycopy(val, start, vin, b * seqLen, seqLen);
        }
        return new int[][] {in, vin};
    }

    @Test
    void inMemoryCorporaGiveTheBatchesTheyGaveBefore() {
        int[] tokens = MarkovCorpus.standard(1234).generate(50_000, 0);
        TokenCorpus c = TokenCorpus.split("m", "byte", 256, tokens, 0.1);
        int[] train = Arrays.copyOfRange(tokens, 0, 45_000);
        int[] val = Arrays.copyOfRange(tokens, 45_000, 50_000);
        BatchSampler s = new BatchSampler(c, 16, 64, 5);
        for (int step = 0; step < 50; step++) {
            int[][] old = oldSampler(train, val, 16, 64, 5, step, step % 4, 4);
            assertArrayEquals(old[0], s.train(step).inputs(), "train step " + step);
            assertArrayEquals(old[1], s.validation(step % 4, 4).inputs(), "validation " + step % 4);
        }
    }

    /** A virtual shard of 97 * 20.7M tokens: token at local position p is part * 100 + p mod 97. */
    record Virtual(int part) implements TokenSource {
        @Override
        public long size() {
            return 97L * 20_700_000;
        }

        @Override
        public void read(long start, int[] dst, int off, int len) {
            for (int i = 0; i < len; i++) {
                dst[off + i] = part * 100 + (int) ((start + i) % 97);
            }
        }
    }

    @Test
    void aStreamOfMoreThan2To31TokensIsSampledEverywhereWithExactWindows() {
        TokenSource big = new ConcatSource(List.of(new Virtual(0), new Virtual(1), new Virtual(2)));
        assertTrue(big.size() > 3L << 31 - 1, "6e9 tokens");
        TokenCorpus c = new TokenCorpus("big", "byte", 256, big, TokenSource.of(new int[100]));
        BatchSampler s = new BatchSampler(c, 64, 16, 3);
        int[] parts = new int[3];
        for (int step = 0; step < 20; step++) {
            Batch b = s.train(step);
            for (int i = 0; i < b.tokens(); i++) {
                int in = b.inputs()[i];
                int tg = b.targets()[i];
                // a window that crosses into the next part is the only place the pattern may jump
                assertTrue(tg == in / 100 * 100 + (in % 100 + 1) % 97 || tg % 100 == 0, in + " -> " + tg);
            }
            for (int r = 0; r < 64; r++) {
                parts[b.inputs()[r * 16] / 100]++;
            }
        }
        // part 2 starts at 4.0e9: windows there were drawn past 2^31 (nextLong), and every part is reached evenly
        for (int p : parts) {
            assertTrue(p > 1280 / 3 - 100 && p < 1280 / 3 + 100, Arrays.toString(parts));
        }
    }

    @Test
    void validationSpreadIsExactWithoutOverflow() {
        assertEquals(1000L * 7 / 9, BatchSampler.spread(1000, 7, 9));
        long big = 5_000_000_000_000L;
        assertEquals(new java.math.BigInteger(String.valueOf(big)).multiply(java.math.BigInteger.valueOf(12345))
                .divide(java.math.BigInteger.valueOf(65535)).longValueExact(), BatchSampler.spread(big, 12345, 65535));
    }
}
