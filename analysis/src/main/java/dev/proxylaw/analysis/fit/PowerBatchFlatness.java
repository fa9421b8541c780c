package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Power scheduler's second check (science.md section 1): eta_opt / B (B in sequences) is flat across
 * B at fixed D. Per (size, D) the spread is max/min of eta_opt / B over the batch sizes; a spread above
 * the threshold is flagged. The default 1.5 sits just above one step of a sqrt(2) LR ladder (1.41), the
 * disagreement grid quantisation alone can produce when an optimum is not refined; if eta_opt did not
 * scale with B at all, batches 4x apart would show a spread of 4.
 */
public final class PowerBatchFlatness {
    public static final double DEFAULT_MAX_SPREAD = 1.5;

    private PowerBatchFlatness() {
    }

    /** One (size, D) group: the batches seen, eta_opt / B at the smallest and largest ratio, and their ratio. */
    public record Group(String size, double d, int batches, double minRatio, double maxRatio, double spread,
                        boolean flagged) {
    }

    /**
     * @param singleBatch (size, D) groups with one batch size, where flatness is not testable
     * @param flat        no group flagged
     */
    public record Result(double maxSpread, List<Group> groups, List<String> singleBatch, boolean flat) {
        public Result {
            groups = List.copyOf(groups);
            singleBatch = List.copyOf(singleBatch);
        }
    }

    public static Result check(List<PowerSchedulerFit.Point> pts, double maxSpread) {
        if (!(maxSpread >= 1)) {
            throw new IllegalArgumentException("Cannot check eta_opt/B flatness: maxSpread=" + maxSpread
                + " is a max/min ratio and must be at least 1. Use " + DEFAULT_MAX_SPREAD + ".");
        }
        // keyed by size then D, so the report reads in scale order
        Map<String, Map<Double, List<PowerSchedulerFit.Point>>> groups = new TreeMap<>();
        for (PowerSchedulerFit.Point p : pts) {
            groups.computeIfAbsent(p.size(), k -> new TreeMap<>()).computeIfAbsent(p.d(), k -> new ArrayList<>()).add(p);
        }
        List<Group> out = new ArrayList<>();
        List<String> single = new ArrayList<>();
        boolean flat = true;
        for (Map.Entry<String, Map<Double, List<PowerSchedulerFit.Point>>> bySize : groups.entrySet()) {
            for (Map.Entry<Double, List<PowerSchedulerFit.Point>> byD : bySize.getValue().entrySet()) {
                List<PowerSchedulerFit.Point> g = byD.getValue();
                long batches = g.stream().mapToDouble(PowerSchedulerFit.Point::batchSequences).distinct().count();
                if (batches < 2) {
                    single.add(bySize.getKey() + ",D=" + byD.getKey());
                    continue;
                }
                double min = Double.POSITIVE_INFINITY;
                double max = 0;
                for (PowerSchedulerFit.Point p : g) {
                    double r = p.etaOpt() / p.batchSequences();
                    min = Math.min(min, r);
                    max = Math.max(max, r);
                }
                boolean flagged = max / min > maxSpread;
                flat &= !flagged;
                out.add(new Group(bySize.getKey(), byD.getKey(), (int) batches, min, max, max / min, flagged));
            }
        }
        return new Result(maxSpread, out, single, flat);
    }
}
