package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The optimum of one cell (every axis but LR and batch fixed). {@code best} is the lowest-loss run;
 * {@code lrOpt} refines its LR with a parabola in log LR through it and its two LR neighbours at the
 * best batch, so an optimum between grid points is not snapped to the grid. When the best run sits at
 * the end of an LR ladder of two or more LRs the optimum is not bracketed: {@code edge} is set and the
 * grid value kept; the fit treats such a cell as censored and leaves it out of every law ({@link FitCore}).
 *
 * <p>A cell whose runs all diverged has {@code allDiverged} set, {@code best} null and NaN optima.
 *
 * @param nearOptimal completed runs within {@code band} (relative) of the best loss: Step Law's plateau
 * @param refined     whether lrOpt came from the parabola (false at an edge, next to a diverged run, or
 *                    on a flat triple)
 */
public record CellOptimum(String cell, double n, double d, int runs, int diverged, int failed, boolean allDiverged,
                          RunPoint best, double lrOpt, double batchTokensOpt, boolean edge, boolean refined,
                          List<RunPoint> nearOptimal) implements java.io.Serializable {
    /** Step Law's plateau: every run within 0.25% of the cell's best smooth loss. */
    public static final double DEFAULT_BAND = 0.0025;

    public CellOptimum {
        nearOptimal = List.copyOf(nearOptimal);
    }

    /** Optima of every cell in {@code runs}, grouped by {@link RunPoint#cell()}, in cell-key order. */
    public static List<CellOptimum> byCell(List<RunPoint> runs, double band) {
        Map<String, List<RunPoint>> cells = new TreeMap<>();
        for (RunPoint r : runs) {
            cells.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r);
        }
        List<CellOptimum> out = new ArrayList<>();
        cells.forEach((cell, rs) -> out.add(of(cell, rs, band)));
        return out;
    }

    public static CellOptimum of(String cell, List<RunPoint> runs, double band) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("Cannot find the optimum of cell " + cell + ": it has no runs.");
        }
        if (!(band >= 0)) {
            throw new IllegalArgumentException("Cannot find the optimum of cell " + cell + ": band=" + band
                + " must be a non-negative fraction of the best loss, e.g. 0.0025 for 0.25%.");
        }
        double n = runs.get(0).n();
        double d = runs.get(0).d();
        int diverged = 0;
        int failed = 0;
        RunPoint best = null;
        for (RunPoint r : runs) {
            if (!r.cell().equals(cell) || r.n() != n || r.d() != d) {
                throw new IllegalArgumentException("Cannot find the optimum of cell " + cell + ": run " + r
                    + " belongs to another cell or scale. Group runs by cell key, with one (N, D) per key.");
            }
            switch (r.status()) {
                case DIVERGED -> diverged++;
                case FAILED -> failed++;
                case COMPLETED -> {
                    if (best == null || r.loss() < best.loss()) {
                        best = r;
                    }
                }
            }
        }
        if (best == null) {
            // all runs diverged (or failed): a flag for the report, not a crash of the whole fit
            return new CellOptimum(cell, n, d, runs.size(), diverged, failed, true, null, Double.NaN, Double.NaN,
                false, false, List.of());
        }
        double limit = best.loss() * (1 + band);
        List<RunPoint> near = runs.stream()
            .filter(r -> r.status() == RunStatus.COMPLETED && r.loss() <= limit)
            .sorted(Comparator.comparingDouble(RunPoint::loss))
            .toList();

        double bestBatch = best.batchTokens();
        LrOptimum at = along(runs, bestBatch);
        double lrOpt = at.refined() ? at.lr() : best.lr();
        boolean edge = at.edge();
        boolean refined = at.refined();
        return new CellOptimum(cell, n, d, runs.size(), diverged, failed, false, best, lrOpt, bestBatch, edge,
            refined, near);
    }

    /**
     * The optimum along the LR curve of {@code runs} at one batch (one point per LR, the lowest where seeds
     * repeat one; FAILED runs measured nothing): lr refined by a parabola in log LR through the best point and
     * its two neighbours where both are finite, else the best grid LR. {@code edge}: the best LR is an end of a
     * ladder of two or more LRs, a censored measurement; a single LR is no ladder and never an edge. lr is NaN
     * when no run at this batch completed.
     */
    public record LrOptimum(double lr, double loss, boolean edge, boolean refined, int lrs) {
    }

    public static LrOptimum along(List<RunPoint> runs, double batchTokens) {
        TreeMap<Double, Double> curve = new TreeMap<>();
        for (RunPoint r : runs) {
            if (Double.compare(r.batchTokens(), batchTokens) == 0 && r.status() != RunStatus.FAILED) {
                curve.merge(r.lr(), r.rankLoss(), Math::min);
            }
        }
        double bestLr = Double.NaN;
        double best = Double.POSITIVE_INFINITY;
        for (var e : curve.entrySet()) {
            if (e.getValue() < best) {
                best = e.getValue();
                bestLr = e.getKey();
            }
        }
        if (!Double.isFinite(best)) {
            return new LrOptimum(Double.NaN, Double.NaN, false, false, curve.size());
        }
        Double below = curve.lowerKey(bestLr);
        Double above = curve.higherKey(bestLr);
        // an optimum is censored only where a ladder was swept: a cell measured at one LR (a table of one loss
        // per (N, D), or a single run) has its loss as given, with no grid end to sit on
        boolean edge = curve.size() >= 2 && (below == null || above == null);
        if (below != null && above != null && Double.isFinite(curve.get(below)) && Double.isFinite(curve.get(above))) {
            double x = parabolaVertex(Math.log(below), curve.get(below), Math.log(bestLr), best, Math.log(above),
                curve.get(above));
            if (Double.isFinite(x)) {
                return new LrOptimum(Math.exp(x), best, false, true, curve.size());
            }
        }
        return new LrOptimum(bestLr, best, edge, false, curve.size());
    }

    /**
     * The abscissa of the vertex of the parabola through three points with x0 < x1 < x2, or NaN when it
     * opens downward or is flat (no minimum to refine to). With y1 the lowest the vertex lies in [x0, x2].
     */
    static double parabolaVertex(double x0, double y0, double x1, double y1, double x2, double y2) {
        double denom = (x0 - x1) * (x0 - x2) * (x1 - x2);
        double a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denom;
        double b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / denom;
        if (!(a > 0)) {
            return Double.NaN;
        }
        double v = -b / (2 * a);
        // guard against round-off pushing a near-flat triple's vertex outside its bracket
        return Math.max(x0, Math.min(x2, v));
    }
}
