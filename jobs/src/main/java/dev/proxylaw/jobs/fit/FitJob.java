package dev.proxylaw.jobs.fit;

import dev.proxylaw.analysis.fit.CellOptimum;
import dev.proxylaw.analysis.fit.LossSurfaceFit;
import dev.proxylaw.analysis.fit.LrSensitivity;
import dev.proxylaw.analysis.fit.MaxLogitExtrapolation;
import dev.proxylaw.analysis.fit.PowerSchedulerFit;
import dev.proxylaw.analysis.fit.RunPoint;
import dev.proxylaw.analysis.fit.StepLawCoefficients;
import dev.proxylaw.analysis.fit.StepLawFit;
import dev.proxylaw.analysis.fit.StepLawHoldout;
import dev.proxylaw.analysis.fit.TransferMetrics;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The fit: per-cell optima (a Spark aggregation per cell), then per family the Step Law with bootstrap
 * replicates run as Spark tasks, the Power-scheduler constants, held-out validation and LR sensitivity.
 * Cells whose runs all diverged are flagged in the output, never a crash or a NaN law.
 */
public final class FitJob {
    /** surfaceBootstraps: loss-surface replicates are optimisations (about 0.2 s each), so fewer by default. */
    public record Options(double band, int bootstraps, long seed, int surfaceBootstraps) {
    }

    /**
     * Everything the writer needs; transfer is empty unless three or more widths or depths were swept.
     * seconds: wall time per phase, summed over families, for {@code bench fit}'s breakdown.
     */
    public record Result(List<CellRow> cells, Map<String, FamilyLaws> families,
                         Map<String, TransferMetrics.Result> transfer, String transferAxis, List<String> transferSkipped,
                         Map<String, Double> seconds) {
    }

    /**
     * One cell's optimum with its family, its runs and its LR sensitivity (NaN without init losses); width,
     * depth and sequence length are NaN for a results table that does not carry them.
     */
    public record CellRow(String family, CellOptimum optimum, double lrSensitivity, List<RunPoint> runs,
                          List<MaxLogitExtrapolation.Point> logits, double width, double depth, double seqLen)
            implements java.io.Serializable {
    }

    /** What was fitted for one family; a law that could not be fitted is null with the reason in notes. */
    public record FamilyLaws(StepLawFit.Result stepLaw, List<StepLawCoefficients> replicates,
                             StepLawHoldout.Result holdout, PowerSchedulerFit.Result power, LossSurfaceFit.Result surface,
                             MaxLogitExtrapolation.Result maxLogit, List<String> notes) {
    }


    private FitJob() {
    }

    public static Result run(JavaSparkContext jsc, Dataset<Row> input, Options o, PrintStream console) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        // rows -> run points on the executors; FAILED runs and completed runs without a loss are left out.
        // One partition per core, before and after the shuffle: the input has one row per run but comes out of a
        // SQL join with spark.sql.shuffle.partitions (200) partitions, and 200 x 200 shuffle files cost seconds
        int parallelism = Math.max(1, jsc.defaultParallelism());
        var keyed = input.coalesce(parallelism).javaRDD().flatMapToPair(r -> {
            String status = r.getAs("status");
            Object loss = r.getAs("loss");
            if (status == null || status.equals("FAILED") || (status.equals("COMPLETED") && loss == null)) {
                return java.util.Collections.emptyIterator();
            }
            String family = r.getAs("family");
            double n = r.<Double>getAs("N");
            double d = r.<Double>getAs("D");
            String cell = family + " | N=" + fmt(n) + " D=" + fmt(d);
            RunPoint p = status.equals("DIVERGED") ? RunPoint.diverged(cell, n, d, r.getAs("lr"), r.getAs("batch_tokens"))
                    : RunPoint.completed(cell, n, d, r.getAs("lr"), r.getAs("batch_tokens"), (Double) loss);
            Object init = r.getAs("init_loss");
            Object seqs = r.getAs("batch_sequences");
            Object width = r.getAs("width");
            Object depth = r.getAs("depth");
            Object logit = r.getAs("block0_logit");
            return List.of(new Tuple2<>(cell, new Tagged(family, p, init == null ? Double.NaN : (Double) init,
                    seqs == null ? Double.NaN : (Double) seqs, width == null ? Double.NaN : ((Number) width).doubleValue(),
                    depth == null ? Double.NaN : ((Number) depth).doubleValue(),
                    logit == null ? Double.NaN : (Double) logit))).iterator();
        });
        double band = o.band();
        List<Tuple2<String, Tuple2<CellRow, double[]>>> perCell = keyed.groupByKey(parallelism).mapValues(group -> {
            List<RunPoint> runs = new ArrayList<>();
            double init = 0;
            int inits = 0;
            String family = null;
            double seqs = Double.NaN;
            double width = Double.NaN;
            double depth = Double.NaN;
            List<MaxLogitExtrapolation.Point> logits = new ArrayList<>();
            for (Tagged t : group) {
                if (Double.isFinite(t.block0Logit()) && t.block0Logit() > 0) {
                    logits.add(new MaxLogitExtrapolation.Point(t.point().lr(), t.point().n(), t.block0Logit()));
                }
                runs.add(t.point());
                family = t.family();
                width = t.width();
                depth = t.depth();
                if (Double.isFinite(t.initLoss())) {
                    init += t.initLoss();
                    inits++;
                }
                if (Double.isFinite(t.batchSequences()) && t.point().batchTokens() > 0) {
                    seqs = t.point().batchTokens() / t.batchSequences();   // seq_len of this cell
                }
            }
            CellOptimum opt = CellOptimum.of(runs.get(0).cell(), runs, band);
            double sensitivity = inits == 0 || runs.stream().noneMatch(r -> !r.diverged()) ? Double.NaN
                    : LrSensitivity.of(runs, init / inits);
            return new Tuple2<>(new CellRow(family, opt, sensitivity, runs, logits, width, depth, seqs),
                    new double[] {seqs, width, depth});
        }).collect();
        lap(seconds, "optima", t0);
        List<CellRow> cells = perCell.stream().map(t -> t._2()._1()).sorted((a, b) -> a.optimum().cell()
                .compareTo(b.optimum().cell())).collect(Collectors.toList());
        Map<String, Double> seqLen = new HashMap<>();
        Map<String, Double> widthByCell = new HashMap<>();
        Map<String, Double> depthByCell = new HashMap<>();
        perCell.forEach(t -> {
            double[] v = t._2()._2();
            if (Double.isFinite(v[0])) {
                seqLen.putIfAbsent(t._2()._1().family(), v[0]);
            }
            if (Double.isFinite(v[1])) {
                widthByCell.put(t._1(), v[1]);
            }
            if (Double.isFinite(v[2])) {
                depthByCell.put(t._1(), v[2]);
            }
        });

        Map<String, FamilyLaws> families = new TreeMap<>();
        Map<String, List<CellRow>> byFamily = cells.stream().collect(Collectors.groupingBy(CellRow::family,
                LinkedHashMap::new, Collectors.toList()));
        for (var e : byFamily.entrySet()) {
            families.put(e.getKey(), fitFamily(jsc, e.getKey(), e.getValue(), seqLen.get(e.getKey()), o, console, seconds));
        }
        long tt = System.nanoTime();
        String[] axis = {null};
        List<String> skipped = new ArrayList<>();
        Map<String, TransferMetrics.Result> transfer = transfer(cells, widthByCell, depthByCell, axis, skipped);
        lap(seconds, "transfer", tt);
        return new Result(cells, families, transfer, axis[0], skipped, seconds);
    }

    /**
     * Transfer across width (or depth, when only depth varies), at a fixed training budget: cells are grouped
     * by D (a fixed-steps sweep) or by tokens per parameter D/N (a fixed-ratio sweep), and within a group
     * with three or more scales each family's LR curve per scale is one curve of the metrics.
     */
    private static Map<String, TransferMetrics.Result> transfer(List<CellRow> cells, Map<String, Double> widthByCell,
                                                                Map<String, Double> depthByCell, String[] axis,
                                                                List<String> skipped) {
        Map<String, TransferMetrics.Result> out = new TreeMap<>();
        long widths = widthByCell.values().stream().distinct().count();
        long depths = depthByCell.values().stream().distinct().count();
        Map<String, Double> scale = widths >= 3 ? widthByCell : depths >= 3 ? depthByCell : null;
        if (scale == null) {
            return out;
        }
        axis[0] = widths >= 3 ? "width" : "depth";
        List<CellRow> usable = cells.stream()
                .filter(c -> scale.containsKey(c.optimum().cell()) && !c.optimum().allDiverged()).toList();
        Map<String, List<CellRow>> groups = new TreeMap<>();
        groups.putAll(cluster("D", usable, c -> c.optimum().d()));
        groups.putAll(cluster("D/N", usable, c -> c.optimum().d() / c.optimum().n()));
        for (var g : groups.entrySet()) {
            List<TransferMetrics.Curve> curves = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            boolean unique = true;
            for (CellRow c : g.getValue()) {
                double s = scale.get(c.optimum().cell());
                unique &= seen.add(c.family() + "@" + s);
                curves.add(TransferMetrics.Curve.of(c.family(), s, c.runs()));
            }
            long scales = curves.stream().mapToDouble(TransferMetrics.Curve::scale).distinct().count();
            if (!unique || scales < 3) {
                continue;
            }
            try {
                out.put(g.getKey(), TransferMetrics.of(curves));
            } catch (IllegalArgumentException e) {
                skipped.add(g.getKey() + ": " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * Cells whose budget lies within 10% of the first of its group: token budgets are rounded up to whole
     * steps, so the same planned tokens-per-parameter differs a little across widths.
     */
    private static Map<String, List<CellRow>> cluster(String what, List<CellRow> cells,
                                                      java.util.function.ToDoubleFunction<CellRow> budget) {
        List<CellRow> sorted = new ArrayList<>(cells);
        sorted.sort(java.util.Comparator.comparingDouble(budget));
        Map<String, List<CellRow>> out = new LinkedHashMap<>();
        List<CellRow> current = null;
        double first = Double.NaN;
        for (CellRow c : sorted) {
            double b = budget.applyAsDouble(c);
            if (current == null || b > first * 1.1) {
                first = b;
                current = new ArrayList<>();
                out.put(what + "~" + fmt(b), current);
            }
            current.add(c);
        }
        return out;
    }

    private record Tagged(String family, RunPoint point, double initLoss, double batchSequences, double width,
                          double depth, double block0Logit) implements java.io.Serializable {
    }

    private static FamilyLaws fitFamily(JavaSparkContext jsc, String family, List<CellRow> cells, Double seqLen,
                                        Options o, PrintStream console, Map<String, Double> seconds) {
        long t0 = System.nanoTime();
        List<String> notes = new ArrayList<>();
        List<RunPoint> kept = new ArrayList<>();
        List<String> allDiverged = new ArrayList<>();
        List<RunPoint> all = new ArrayList<>();
        for (CellRow c : cells) {
            kept.addAll(c.optimum().nearOptimal());
            if (c.optimum().allDiverged()) {
                allDiverged.add(c.optimum().cell());
            }
        }
        long ns = cells.stream().mapToDouble(c -> c.optimum().n()).distinct().count();
        long ds = cells.stream().mapToDouble(c -> c.optimum().d()).distinct().count();
        StepLawFit.Result stepLaw = null;
        List<StepLawCoefficients> reps = List.of();
        StepLawHoldout.Result holdout = null;
        StepLawCoefficients point = kept.isEmpty() ? null : StepLawFit.fitKept(kept);
        if (point == null || !point.finite()) {
            notes.add("Step Law not fitted: the cells span " + ns + " N and " + ds + " D values; it needs at least two of each.");
        } else {
            long seed = o.seed();
            reps = replicates(jsc, "proxylaw fit " + family + ": Step Law bootstrap", kept, o.bootstraps(),
                    (pts, i) -> StepLawFit.replicate(pts, seed, i));
            stepLaw = StepLawFit.summarise(cells.size(), kept, allDiverged, point, reps);
            t0 = lap(seconds, "step law", t0);
            console.println("[" + family + "] " + stepLaw);
            if (ns >= 3) {
                for (CellRow c : cells) {
                    all.addAll(c.runs());
                }
                try {
                    holdout = StepLawHoldout.leaveLargestNOut(all, o.band());
                } catch (IllegalArgumentException ex) {
                    notes.add("held-out validation not run: " + ex.getMessage());
                }
            } else {
                notes.add("held-out validation needs at least three N values; the cells have " + ns + ".");
            }
            t0 = lap(seconds, "holdout", t0);
        }
        PowerSchedulerFit.Result power = null;
        if (seqLen != null && Double.isFinite(seqLen) && ds >= 2) {
            List<PowerSchedulerFit.Point> pts = PowerSchedulerFit.fromOptima(
                    cells.stream().map(CellRow::optimum).toList(), (int) Math.round(seqLen));
            try {
                power = PowerSchedulerFit.fit(pts, o.bootstraps(), o.seed());
            } catch (IllegalArgumentException ex) {
                notes.add("Power-scheduler constants not fitted: " + ex.getMessage());
            }
            t0 = lap(seconds, "power", t0);
        }
        LossSurfaceFit.Result surface = null;
        List<LossSurfaceFit.Point> surfacePoints = LossSurfaceFit.fromOptima(cells.stream().map(CellRow::optimum).toList());
        long surfaceN = surfacePoints.stream().mapToDouble(LossSurfaceFit.Point::n).distinct().count();
        long surfaceD = surfacePoints.stream().mapToDouble(LossSurfaceFit.Point::d).distinct().count();
        if (surfaceN >= 3 && surfaceD >= 3) {
            LossSurfaceFit.PointFit surfaceFit = LossSurfaceFit.fitChecked(surfacePoints, LossSurfaceFit.DEFAULT_DELTA);
            t0 = lap(seconds, "surface point fit", t0);
            LossSurfaceFit.Coefficients sp = surfaceFit.coefficients();
            if (sp.finite()) {
                long seed = o.seed();
                // replicates start from the all-data optimum when it is unique (one local search, not 27)
                LossSurfaceFit.Coefficients warm = surfaceFit.warmStart();
                if (warm == null) {
                    notes.add("loss surface: its starts reached the same fit at different coefficients (the cells do not "
                            + "pin E, A and B apart); every replicate runs all starts, and the intervals show the spread.");
                }
                List<LossSurfaceFit.Coefficients> sreps = replicates(jsc, "proxylaw fit " + family
                        + ": loss-surface bootstrap", surfacePoints, o.surfaceBootstraps(),
                        (pts, i) -> LossSurfaceFit.replicate(pts, LossSurfaceFit.DEFAULT_DELTA, seed, i, warm));
                surface = LossSurfaceFit.summarise(surfacePoints, LossSurfaceFit.DEFAULT_DELTA, sp, sreps);
            }
        } else {
            notes.add("loss surface not fitted: it needs three or more N and D among the usable cells ("
                    + surfaceN + " N, " + surfaceD + " D).");
        }
        t0 = lap(seconds, "surface bootstrap", t0);
        // Wortsman et al.: block 0's max attention logit at a fixed step against size, per LR, to 1e4
        MaxLogitExtrapolation.Result maxLogit = null;
        List<MaxLogitExtrapolation.Point> logits = cells.stream().flatMap(c -> c.logits().stream()).toList();
        if (logits.stream().mapToDouble(MaxLogitExtrapolation.Point::n).distinct().count() >= 2) {
            maxLogit = MaxLogitExtrapolation.fit(logits, MaxLogitExtrapolation.DEFAULT_THRESHOLD);
        }
        lap(seconds, "max logit", t0);
        if (!allDiverged.isEmpty()) {
            notes.add(allDiverged.size() + " cell(s) had every run diverged: " + String.join("; ", allDiverged));
        }
        return new FamilyLaws(stepLaw, reps, holdout, power, surface, maxLogit, notes);
    }

    /** One bootstrap replicate: a pure function of the (broadcast) points and its index. */
    interface Replicate<P, R> extends java.io.Serializable {
        R apply(List<P> points, int index);
    }

    /** {@code n} replicates as Spark tasks, a few per core, over points broadcast once. */
    static <P, R> List<R> replicates(JavaSparkContext jsc, String description, List<P> points, int n, Replicate<P, R> fn) {
        Broadcast<List<P>> b = jsc.broadcast(points);
        jsc.setJobDescription(description + ": " + n + " replicates");
        try {
            return jsc.parallelize(IntStream.range(0, n).boxed().toList(), Math.max(1, Math.min(n, jsc.defaultParallelism() * 4)))
                    .map(i -> fn.apply(b.value(), i)).collect();
        } finally {
            b.destroy();
        }
    }

    /** Adds the time since {@code since} to a phase; returns now, the start of the next phase. */
    private static long lap(Map<String, Double> seconds, String phase, long since) {
        long now = System.nanoTime();
        seconds.merge(phase, (now - since) / 1e9, Double::sum);
        return now;
    }

    static String fmt(double v) {
        return String.format("%.4g", v);
    }

}
