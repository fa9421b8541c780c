package dev.proxylaw.jobs.report;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import dev.proxylaw.analysis.report.ReportModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The steps the report draws: a few runs' thinned training curves and every run's activations at steps 1..10. */
final class SweepCurves {
    private SweepCurves() {
    }

    private record Pick(String runId, String shape, double lr, String status, double smoothed, long totalSteps) {
    }

    /**
     * Two groups of curves: every LR at the shape swept over the most LRs, and the best LR of each shape
     * (when there are several shapes). Spark filters the steps to those runs and thins them.
     */
    /** @param runs one row per terminal run, with its shape */
    static List<ReportModel.Curve> curves(Dataset<Row> runs, Dataset<Row> steps) {
        List<Pick> picks = new ArrayList<>();
        for (Row r : runs.select("run_id", "shape", "lr", "status", "smoothed_loss", "total_steps").collectAsList()) {
            picks.add(new Pick(r.getString(0), r.getString(1), r.getDouble(2), r.getString(3),
                    r.isNullAt(4) ? Double.NaN : r.getDouble(4), r.getLong(5)));
        }
        Map<String, List<Pick>> byShape = new TreeMap<>();
        picks.forEach(p -> byShape.computeIfAbsent(p.shape(), k -> new ArrayList<>()).add(p));
        if (byShape.isEmpty()) {
            return List.of();
        }
        Map<String, List<Pick>> groups = new LinkedHashMap<>();
        String widest = byShape.entrySet().stream().max(Comparator.comparingLong(
                (Map.Entry<String, List<Pick>> e) -> e.getValue().stream().mapToDouble(Pick::lr).distinct().count())).get().getKey();
        List<Pick> ladder = new ArrayList<>(byShape.get(widest));
        ladder.sort(Comparator.comparingDouble(Pick::lr));
        groups.put("every LR at " + widest, spread(ladder));
        if (byShape.size() > 1) {
            List<Pick> best = new ArrayList<>();
            byShape.values().forEach(ps -> ps.stream().filter(p -> p.status().equals("COMPLETED") && Double.isFinite(p.smoothed()))
                    .min(Comparator.comparingDouble(Pick::smoothed)).ifPresent(best::add));
            groups.put("the best LR of each shape", spread(best));
        }
        List<Row> wanted = new ArrayList<>();
        groups.values().forEach(ps -> ps.forEach(p -> wanted.add(RowFactory.create(p.runId(),
                Math.max(1L, p.totalSteps() / ReportReader.CURVE_POINTS)))));
        StructType schema = new StructType().add("run_id", DataTypes.StringType).add("every", DataTypes.LongType);
        Dataset<Row> chosen = runs.sparkSession().createDataFrame(wanted, schema).dropDuplicates("run_id");
        Map<String, TreeMap<Long, Double>> byRun = new LinkedHashMap<>();
        for (Row r : steps.select("run_id", "step", "loss").join(org.apache.spark.sql.functions.broadcast(chosen), "run_id")
                .filter(expr("pmod(step, every) = 0")).select("run_id", "step", "loss").collectAsList()) {
            byRun.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getLong(1), r.isNullAt(2) ? Double.NaN : r.getDouble(2));
        }
        List<ReportModel.Curve> out = new ArrayList<>();
        groups.forEach((group, ps) -> {
            for (Pick p : ps) {
                TreeMap<Long, Double> c = byRun.getOrDefault(p.runId(), new TreeMap<>());
                String label = group.startsWith("every") ? "lr " + String.format("%.2g", p.lr())
                        : p.shape() + ", lr " + String.format("%.2g", p.lr());
                out.add(new ReportModel.Curve(p.runId(), group, label, p.status(), p.lr(),
                        c.keySet().stream().mapToDouble(Long::doubleValue).toArray(),
                        c.values().stream().mapToDouble(Double::doubleValue).toArray()));
            }
        });
        return out;
    }

    /** At most MAX_CURVES picks, evenly spread over the list's order. */
    private static List<Pick> spread(List<Pick> ps) {
        if (ps.size() <= ReportReader.MAX_CURVES) {
            return ps;
        }
        List<Pick> out = new ArrayList<>();
        for (int i = 0; i < ReportReader.MAX_CURVES; i++) {
            out.add(ps.get((int) Math.round(i * (ps.size() - 1.0) / (ReportReader.MAX_CURVES - 1))));
        }
        return out;
    }

    /** Mean |activation| over layers at steps 1..10, averaged per (parameterization, width, depth, LR, step). */
    /** @param runs one row per terminal run */
    static List<ReportModel.Activation> activations(Dataset<Row> runs, Dataset<Row> steps) {
        if (!Arrays.asList(steps.columns()).contains("act_abs_mean")) {
            return List.of();
        }
        Dataset<Row> early = steps.filter("step BETWEEN 1 AND 10 AND size(act_abs_mean) > 0").selectExpr("run_id", "step",
                "aggregate(act_abs_mean, 0D, (acc, x) -> acc + x) / size(act_abs_mean) AS mean_abs");
        Dataset<Row> meta = runs.selectExpr("run_id",
                "concat(param_type, IF(embedding_lr_mult != 1, ' emb_lr x m', ''), "
                        + "IF(param_type = 'depth', concat(' alpha=', alpha), '')) AS param", "d_model", "n_layers", "lr");
        List<ReportModel.Activation> out = new ArrayList<>();
        for (Row r : early.join(meta, "run_id").groupBy("param", "d_model", "n_layers", "lr", "step")
                .agg(avg(col("mean_abs")).as("mean_abs")).collectAsList()) {
            out.add(new ReportModel.Activation(r.getString(0), ((Number) r.get(1)).doubleValue(),
                    ((Number) r.get(2)).doubleValue(), r.getDouble(3), (int) r.getLong(4), r.getDouble(5)));
        }
        return out;
    }
}
