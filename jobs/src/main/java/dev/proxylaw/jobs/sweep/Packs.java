package dev.proxylaw.jobs.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Groups pending runs into packs: runs of one shape (a {@code PackTrainer.shapeKey}), at most
 * {@code maxSize} each. Within a shape, runs are ordered by length so that a pack's members end together
 * (a member that ends early leaves the pack and stops costing compute, but the pack lasts as long as its
 * longest member) and split into packs of near-equal size. While there are fewer packs than task slots,
 * the largest pack is halved: a core without a pack is idle, and a smaller pack still beats no pack.
 */
final class Packs {
    private Packs() {
    }

    static <T> List<List<T>> of(List<T> runs, Function<T, String> shape, ToLongFunction<T> steps, int maxSize, int slots) {
        Map<String, List<T>> byShape = new LinkedHashMap<>();
        for (T r : runs) {
            byShape.computeIfAbsent(shape.apply(r), k -> new ArrayList<>()).add(r);
        }
        List<List<T>> packs = new ArrayList<>();
        for (List<T> group : byShape.values()) {
            List<T> sorted = new ArrayList<>(group);
            sorted.sort(Comparator.comparingLong(steps).reversed());   // stable: plan order among equals
            int n = sorted.size();
            int count = (n + maxSize - 1) / maxSize;
            for (int i = 0; i < count; i++) {
                packs.add(new ArrayList<>(sorted.subList(i * n / count, (i + 1) * n / count)));
            }
        }
        while (packs.size() < slots) {
            List<T> largest = packs.stream().max(Comparator.comparingInt(List::size)).orElse(null);
            if (largest == null || largest.size() < 2) {
                break;
            }
            int at = packs.indexOf(largest);
            int half = largest.size() / 2;
            packs.set(at, new ArrayList<>(largest.subList(0, half)));
            packs.add(at + 1, new ArrayList<>(largest.subList(half, largest.size())));
        }
        List<List<T>> out = new ArrayList<>();
        packs.forEach(p -> out.add(List.copyOf(p)));
        return out;
    }
}
