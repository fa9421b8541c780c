package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The noise floor of a family: at every (N, D, LR, batch) point that 3 or more completed runs repeat (runs of
 * one family differ only in N, D, LR, batch and seed, so these are seeds), the sample standard deviation of
 * the ranked loss over its mean. Null when no point repeats 3 seeds.
 */
final class SeedNoise {
    static final int MIN_SEEDS = 3;

    private SeedNoise() {
    }

    static LawsDocument.Noise of(List<FitCell> cells, double band) {
        List<Double> rel = new ArrayList<>();
        int runs = 0;
        for (FitCell c : cells) {
            Map<List<Double>, List<Double>> byPoint = new TreeMap<>((a, b) -> {
                int k = Double.compare(a.get(0), b.get(0));
                return k != 0 ? k : Double.compare(a.get(1), b.get(1));
            });
            for (RunPoint r : c.runs()) {
                if (r.status() == RunStatus.COMPLETED && Double.isFinite(r.loss())) {
                    byPoint.computeIfAbsent(List.of(r.lr(), r.batchTokens()), k -> new ArrayList<>()).add(r.loss());
                }
            }
            for (List<Double> losses : byPoint.values()) {
                if (losses.size() >= MIN_SEEDS) {
                    rel.add(relativeSd(losses));
                    runs += losses.size();
                }
            }
        }
        if (rel.isEmpty()) {
            return null;
        }
        double[] v = rel.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : 0.5 * (v[v.length / 2 - 1] + v[v.length / 2]);
        return new LawsDocument.Noise(v.length, runs, median, v[v.length - 1], band, median > band);
    }

    /** Sample standard deviation (n - 1) over the mean. */
    static double relativeSd(List<Double> xs) {
        double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double ss = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
        return Math.sqrt(ss / (xs.size() - 1)) / mean;
    }
}
