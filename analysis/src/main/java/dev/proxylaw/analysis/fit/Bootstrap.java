package dev.proxylaw.analysis.fit;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Resampling with replacement where replicate i is a pure function of (seed, i): a Spark job can run
 * replicates as independent tasks, in any order or on retry, and get the same numbers as one JVM.
 */
public final class Bootstrap {
    private Bootstrap() {
    }

    /** Indices of one resample of n items. */
    public static int[] resample(int n, long seed, int replicate) {
        if (n <= 0) {
            throw new IllegalArgumentException("Cannot resample: there are no points. Check the band kept any runs.");
        }
        SplittableRandom rng = new SplittableRandom(mix(seed, replicate));
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rng.nextInt(n);
        }
        return idx;
    }

    /** A 64-bit finaliser (SplitMix64) over seed and index, so nearby (seed, i) give unrelated streams. */
    static long mix(long seed, int replicate) {
        long z = seed + 0x9E3779B97F4A7C15L * (replicate + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Percentile with linear interpolation between order statistics (numpy's default), p in [0, 1]. NaNs dropped. */
    public static double percentile(double[] values, double p) {
        double[] s = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        double pos = p * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }

    /** Summarises replicates of one coefficient with the all-data estimate: mean and 95% percentile interval. */
    public static Interval interval(double point, double[] replicates) {
        double mean = Arrays.stream(replicates).filter(Double::isFinite).average().orElse(Double.NaN);
        return new Interval(point, mean, percentile(replicates, 0.025), percentile(replicates, 0.975));
    }
}
