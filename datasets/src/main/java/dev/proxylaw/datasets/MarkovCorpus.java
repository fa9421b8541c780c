package dev.proxylaw.datasets;

import java.util.SplittableRandom;

/**
 * A synthetic byte corpus with a known entropy rate: an order-k Markov source over a small alphabet.
 *
 * <p>Each context of the last {@code order} symbols allows {@code branch} next symbols with random
 * weights. The true entropy rate (nats per token) is computed exactly from the stationary distribution
 * over contexts, so a test can check that a model approaches it, and that it beats the unigram
 * entropy, which only a model that uses context can. Symbols are the printable bytes from {@code '!'} on.
 */
public final class MarkovCorpus {
    private final int alphabet;
    private final int order;
    private final int contexts;
    /** next[c * branch + j] is the j-th allowed symbol after context c, with probability prob[...]. */
    private final int[] next;
    private final double[] prob;
    private final int branch;
    private final long seed;

    public MarkovCorpus(int alphabet, int order, int branch, long seed) {
        if (alphabet < 2 || alphabet > 94) {
            throw new IllegalArgumentException("Cannot build Markov corpus: alphabet=" + alphabet + " must be in [2, 94].");
        }
        if (order < 1 || order > 4) {
            throw new IllegalArgumentException("Cannot build Markov corpus: order=" + order + " must be in [1, 4].");
        }
        if (branch < 1 || branch > alphabet) {
            throw new IllegalArgumentException("Cannot build Markov corpus: branch=" + branch + " must be in [1, alphabet].");
        }
        this.alphabet = alphabet;
        this.order = order;
        this.branch = branch;
        this.seed = seed;
        int c = 1;
        for (int i = 0; i < order; i++) {
            c *= alphabet;
        }
        this.contexts = c;
        this.next = new int[contexts * branch];
        this.prob = new double[contexts * branch];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int ctx = 0; ctx < contexts; ctx++) {
            // distinct symbols by partial Fisher-Yates; weights ~ Exp(1), i.e. Dirichlet(1,...,1)
            int[] perm = new int[alphabet];
            for (int i = 0; i < alphabet; i++) {
                perm[i] = i;
            }
            double total = 0;
            for (int j = 0; j < branch; j++) {
                int k = j + rng.nextInt(alphabet - j);
                int t = perm[j];
                perm[j] = perm[k];
                perm[k] = t;
                next[ctx * branch + j] = perm[j];
                double w = -Math.log(1.0 - rng.nextDouble());
                prob[ctx * branch + j] = w;
                total += w;
            }
            for (int j = 0; j < branch; j++) {
                prob[ctx * branch + j] /= total;
            }
        }
    }

    /** The default corpus of the demo and the tests: 16 symbols, order 2, 3 successors per context. */
    public static MarkovCorpus standard(long seed) {
        return new MarkovCorpus(16, 2, 3, seed);
    }

    /** Symbol i is the printable ASCII byte {@code '!' + i}. */
    public static int symbolByte(int symbol) {
        return '!' + symbol;
    }

    /** {@code n} bytes of the source, deterministic in (this source, streamSeed). */
    public int[] generate(int n, long streamSeed) {
        SplittableRandom rng = new SplittableRandom(streamSeed ^ (seed * 0x9E3779B97F4A7C15L));
        int[] out = new int[n];
        int ctx = rng.nextInt(contexts);
        for (int i = 0; i < n; i++) {
            int sym = sample(ctx, rng.nextDouble());
            out[i] = symbolByte(sym);
            ctx = (ctx * alphabet + sym) % contexts;
        }
        return out;
    }

    private int sample(int ctx, double u) {
        double acc = 0;
        for (int j = 0; j < branch - 1; j++) {
            acc += prob[ctx * branch + j];
            if (u < acc) {
                return next[ctx * branch + j];
            }
        }
        return next[ctx * branch + branch - 1];
    }

    private double[] stationary() {
        double[] pi = new double[contexts];
        java.util.Arrays.fill(pi, 1.0 / contexts);
        for (int it = 0; it < 2000; it++) {
            double[] nx = new double[contexts];
            for (int ctx = 0; ctx < contexts; ctx++) {
                for (int j = 0; j < branch; j++) {
                    int sym = next[ctx * branch + j];
                    nx[(ctx * alphabet + sym) % contexts] += pi[ctx] * prob[ctx * branch + j];
                }
            }
            // lazy step: converges for periodic chains too
            for (int ctx = 0; ctx < contexts; ctx++) {
                pi[ctx] = 0.5 * pi[ctx] + 0.5 * nx[ctx];
            }
        }
        return pi;
    }

    /** True entropy rate of the source in nats per token. */
    public double entropyRate() {
        double[] pi = stationary();
        double h = 0;
        for (int ctx = 0; ctx < contexts; ctx++) {
            for (int j = 0; j < branch; j++) {
                double p = prob[ctx * branch + j];
                if (p > 0) {
                    h -= pi[ctx] * p * Math.log(p);
                }
            }
        }
        return h;
    }

    /** Entropy of the stationary symbol distribution (the best a context-free model can do), nats. */
    public double unigramEntropy() {
        double[] pi = stationary();
        double[] marg = new double[alphabet];
        for (int ctx = 0; ctx < contexts; ctx++) {
            for (int j = 0; j < branch; j++) {
                marg[next[ctx * branch + j]] += pi[ctx] * prob[ctx * branch + j];
            }
        }
        double h = 0;
        for (double p : marg) {
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return h;
    }

    public String describe() {
        return "markov(alphabet=" + alphabet + ",order=" + order + ",branch=" + branch + ",seed=" + seed + ")";
    }
}
