package dev.proxylaw.jobs.fit;

import dev.proxylaw.analysis.fit.CellOptimum;
import dev.proxylaw.analysis.fit.Interval;
import dev.proxylaw.analysis.fit.LinearFit;
import dev.proxylaw.analysis.fit.LrSensitivity;
import dev.proxylaw.analysis.fit.PowerSchedulerFit;
import dev.proxylaw.analysis.fit.RunPoint;
import dev.proxylaw.analysis.fit.StepLawCoefficients;
import dev.proxylaw.analysis.fit.StepLawFit;
import dev.proxylaw.analysis.fit.StepLawHoldout;
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
    public record Options(double band, int bootstraps, long seed) {
    }

    /** Everything the writer needs. */
    public record Result(List<CellRow> cells, Map<String, FamilyLaws> families) {
    }

    /** One cell's optimum with its family, its runs and its LR sensitivity (NaN without init losses). */
    public record CellRow(String family, CellOptimum optimum, double lrSensitivity, List<RunPoint> runs)
            implements java.io.Serializable {
    }

    /** What was fitted for one family; a law that could not be fitted is null with the reason in notes. */
    public record FamilyLaws(StepLawFit.Result stepLaw, List<StepLawCoefficients> replicates,
                             StepLawHoldout.Result holdout, PowerSchedulerFit.Result power, List<String> notes) {
    }

    private FitJob() {
    }

    public static Result run(JavaSparkContext jsc, Dataset<Row> input, Options o, PrintStream console) {
        // rows -> run points on the executors; FAILED runs and completed runs without a loss are left out
        var keyed = input.javaRDD().flatMapToPair(r -> {
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
            return List.of(new Tuple2<>(cell, new Tagged(family, p, init == null ? Double.NaN : (Double) init,
                    seqs == null ? Double.NaN : (Double) seqs))).iterator();
        });
        double band = o.band();
        List<Tuple2<String, Tuple2<CellRow, Double>>> perCell = keyed.groupByKey().mapValues(group -> {
            List<RunPoint> runs = new ArrayList<>();
            double init = 0;
            int inits = 0;
            String family = null;
            double seqs = Double.NaN;
            for (Tagged t : group) {
                runs.add(t.point());
                family = t.family();
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
            return new Tuple2<>(new CellRow(family, opt, sensitivity, runs), seqs);
        }).collect();
        List<CellRow> cells = perCell.stream().map(t -> t._2()._1()).sorted((a, b) -> a.optimum().cell()
                .compareTo(b.optimum().cell())).collect(Collectors.toList());
        Map<String, Double> seqLen = new HashMap<>();
        perCell.forEach(t -> seqLen.putIfAbsent(t._2()._1().family(), t._2()._2()));

        Map<String, FamilyLaws> families = new TreeMap<>();
        Map<String, List<CellRow>> byFamily = cells.stream().collect(Collectors.groupingBy(CellRow::family,
                LinkedHashMap::new, Collectors.toList()));
        for (var e : byFamily.entrySet()) {
            families.put(e.getKey(), fitFamily(jsc, e.getKey(), e.getValue(), seqLen.get(e.getKey()), o, console));
        }
        return new Result(cells, families);
    }

    private record Tagged(String family, RunPoint point, double initLoss, double batchSequences)
            implements java.io.Serializable {
    }

    private static FamilyLaws fitFamily(JavaSparkContext jsc, String family, List<CellRow> cells, Double seqLen,
                                        Options o, PrintStream console) {
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
            // bootstrap replicates as Spark tasks: each is a pure function of (kept runs, seed, index)
            Broadcast<List<RunPoint>> keptB = jsc.broadcast(kept);
            long seed = o.seed();
            jsc.setJobDescription("proxylaw fit " + family + ": " + o.bootstraps() + " Step Law bootstrap replicates");
            reps = jsc.parallelize(IntStream.range(0, o.bootstraps()).boxed().toList(),
                    Math.max(1, Math.min(o.bootstraps(), jsc.defaultParallelism() * 4)))
                    .map(i -> StepLawFit.replicate(keptB.value(), seed, i)).collect();
            stepLaw = StepLawFit.summarise(cells.size(), kept, allDiverged, point, reps);
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
        }
        if (!allDiverged.isEmpty()) {
            notes.add(allDiverged.size() + " cell(s) had every run diverged: " + String.join("; ", allDiverged));
        }
        return new FamilyLaws(stepLaw, reps, holdout, power, notes);
    }

    static String fmt(double v) {
        return String.format("%.4g", v);
    }

    static Map<String, Object> interval(Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("point", i.point());
        m.put("mean", i.mean());
        m.put("lo95", i.lo());
        m.put("hi95", i.hi());
        return m;
    }

    static Map<String, Object> fit(LinearFit f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("r2", f.rSquared());
        m.put("residual_rms", f.residualRms());
        return m;
    }
}
