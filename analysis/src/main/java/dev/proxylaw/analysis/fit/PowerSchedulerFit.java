package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Power scheduler law (science.md section 1, Shen et al. 2024): eta_opt = a * B * D^b with B in
 * SEQUENCES, fitted as ln(eta_opt / B) = ln a + b ln D over one optimum per (N, D, batch): within each
 * (N, D) cell, the LR curve at each batch gives its own eta_opt. Both of the paper's checks are decided:
 * <ul>
 *   <li>batch flatness: the slope g of ln(eta_opt / B) on ln B within (N, D) cells (fixed effects) is 0 when
 *       eta_opt is proportional to B, as the law says, and -1 when eta_opt ignores B; flat when
 *       |g| &lt;= {@link #FLAT_TOLERANCE}, half way between the two readings with room for an LR ladder's
 *       quantisation;</li>
 *   <li>size independence: sizes agree when every pair of per-size b lies within {@link #SIZES_TOLERANCE}
 *       (absolute), a tolerance on the estimate rather than an overlap of intervals, which low noise makes
 *       arbitrarily narrow.</li>
 * </ul>
 */
public final class PowerSchedulerFit {
    public static final double FLAT_TOLERANCE = 0.25;
    public static final double SIZES_TOLERANCE = 0.1;
    public static final String FORM = "ln(eta_opt / B_sequences) = ln a + b ln D, one optimum per (N, D, batch)";

    private PowerSchedulerFit() {
    }

    /** One (N, D, batch) optimum: B in sequences, D in tokens; the logs the fit uses, computed once. */
    public record Point(double n, double d, double batchSequences, double etaOpt, double lnD, double lnB, double y)
            implements java.io.Serializable {
        public static Point of(double n, double d, double batchSequences, double etaOpt) {
            return new Point(n, d, batchSequences, etaOpt, Math.log(d), Math.log(batchSequences),
                    Math.log(etaOpt / batchSequences));
        }
    }

    /** The points of every cell, per (N, D) cell, and how many (N, D, batch) optima sat at a ladder's end. */
    public record Points(List<List<Point>> byCell, int edge) {
        public List<Point> all() {
            return byCell.stream().flatMap(List::stream).toList();
        }
    }

    /** Per batch of each cell with a sequence length: the refined optimum, censored ones counted and left out. */
    public static Points fromCells(List<FitCell> cells, EdgeRule rule) {
        List<List<Point>> out = new ArrayList<>();
        int edge = 0;
        for (FitCell c : cells) {
            if (c.optimum().allDiverged() || !(c.seqLen() > 0)) {
                continue;
            }
            List<Point> pts = new ArrayList<>();
            c.runs().stream().mapToDouble(RunPoint::batchTokens).filter(b -> b > 0).distinct().sorted().forEach(b -> {
                CellOptimum.LrOptimum o = CellOptimum.along(c.runs(), b);
                if (o.lrs() >= 2 && (rule == EdgeRule.KEEP || !o.edge()) && o.lr() > 0) {
                    pts.add(Point.of(c.key().n(), c.key().d(), b / c.seqLen(), o.lr()));
                }
            });
            edge += (int) c.runs().stream().mapToDouble(RunPoint::batchTokens).filter(b -> b > 0).distinct()
                    .filter(b -> CellOptimum.along(c.runs(), b).edge()).count();
            if (!pts.isEmpty()) {
                out.add(pts);
            }
        }
        return new Points(out, edge);
    }

    /** {ln a, b, g, then ln a and b of each size in {@code sizes} order}; NaN where the points cannot pin one. */
    static double[] coefficients(List<Point> pts, double[] sizes) {
        double[] out = new double[3 + 2 * sizes.length];
        java.util.Arrays.fill(out, Double.NaN);
        double[] pooled = line(pts);
        out[0] = pooled[0];
        out[1] = pooled[1];
        out[2] = batchSlope(pts);
        Map<Double, List<Point>> bySize = new java.util.HashMap<>();
        for (Point p : pts) {
            bySize.computeIfAbsent(p.n(), k -> new ArrayList<>()).add(p);
        }
        for (int i = 0; i < sizes.length; i++) {
            double[] f = line(bySize.getOrDefault(sizes[i], List.of()));
            out[3 + 2 * i] = f[0];
            out[4 + 2 * i] = f[1];
        }
        return out;
    }

    /**
     * ln(eta/B) on ln D in closed form, {ln a, b}; NaN when the points span a single D or are only two (a line
     * through two points has no residual, so its bootstrap would print a zero-width interval for what nothing
     * checked).
     */
    static double[] line(List<Point> pts) {
        double[] x = new double[pts.size()];
        double[] y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i).lnD();
            y[i] = pts.get(i).y();
        }
        return pts.size() < 3 ? new double[] {Double.NaN, Double.NaN} : Line.fit(x, y, x.length);
    }

    /** The within-(N, D) slope of ln(eta_opt/B) on ln B; NaN when no (N, D) has two batches. */
    static double batchSlope(List<Point> pts) {
        Map<List<Double>, List<Point>> groups = new java.util.HashMap<>();
        for (Point p : pts) {
            groups.computeIfAbsent(List.of(p.n(), p.d()), k -> new ArrayList<>()).add(p);
        }
        double sxy = 0;
        double sxx = 0;
        for (List<Point> g : groups.values()) {
            double mx = g.stream().mapToDouble(Point::lnB).average().orElse(0);
            double my = g.stream().mapToDouble(Point::y).average().orElse(0);
            for (Point p : g) {
                double x = p.lnB() - mx;
                sxy += x * (p.y() - my);
                sxx += x * x;
            }
        }
        return sxx > 1e-12 ? sxy / sxx : Double.NaN;
    }

    /**
     * The law over the given optima with replicates that resample (N, D) cells; null when the optima span
     * fewer than two D (then b is not identified, and the caller notes why).
     */
    public static LawsDocument.Power fit(Points points, Replicates engine, String description, int bootstraps, long seed) {
        List<Point> all = points.all();
        double[] sizes = all.stream().mapToDouble(Point::n).distinct().sorted().toArray();
        double[] point = coefficients(all, sizes);
        if (!Double.isFinite(point[1])) {
            return null;
        }
        Law<Point> law = pts -> coefficients(pts, sizes);
        List<double[]> reps = Law.replicates(engine, description, points.byCell(), new Law.Draw(true, false), bootstraps,
                seed, law);
        Interval[] iv = Law.summarise(point, reps);
        Coefficient g = Double.isFinite(point[2]) ? Coefficient.of(iv[2])
                : Coefficient.unidentified("no (N, D) cell was swept at two or more batches with a bracketed optimum at each");
        Boolean flat = Double.isFinite(point[2]) ? Math.abs(point[2]) <= FLAT_TOLERANCE : null;
        Map<String, LawsDocument.Power.Size> bySize = new LinkedHashMap<>();
        List<Double> bs = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            double n = sizes[i];
            int count = (int) all.stream().filter(p -> p.n() == n).count();
            long ds = all.stream().filter(p -> p.n() == n).mapToDouble(Point::d).distinct().count();
            // with two D the line passes through both cells' optima, and resampling two cells gives no interval
            boolean ok = Double.isFinite(point[4 + 2 * i]) && ds >= 3;
            String why = Double.isFinite(point[4 + 2 * i])
                    ? String.format("the optima at this size span %d D, so the line (b = %.3f) passes through them and "
                    + "resampling its cells gives no interval; 3 or more D are needed", ds, point[4 + 2 * i])
                    : "the optima at this size span a single D, or are fewer than three";
            bySize.put("N=" + RunRecord.exact(n), new LawsDocument.Power.Size(n, count,
                    ok ? Coefficient.of(iv[3 + 2 * i]) : Coefficient.unidentified(why),
                    ok ? Coefficient.of(iv[4 + 2 * i]) : Coefficient.unidentified(why)));
            if (ok) {
                bs.add(point[4 + 2 * i]);
            }
        }
        Boolean agree = bs.size() < 2 ? null
                : bs.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                - bs.stream().mapToDouble(Double::doubleValue).min().orElseThrow() <= SIZES_TOLERANCE;
        String test = "|g| <= " + FLAT_TOLERANCE + ", g the slope of ln(eta_opt / B) on ln B within (N, D) cells "
                + "(0: eta_opt proportional to B, as the law says; -1: eta_opt independent of B)";
        return new LawsDocument.Power(FORM, all.size(), points.edge(), Coefficient.of(iv[0]), Coefficient.of(iv[1]), g,
                flat, test, agree, SIZES_TOLERANCE, bySize, Law.used(new ArrayList<>(reps.stream()
                .map(r -> new double[] {r[0], r[1]}).toList())));
    }
}
