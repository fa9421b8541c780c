package dev.proxylaw.jobs.fit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.proxylaw.analysis.fit.CellOptimum;
import dev.proxylaw.analysis.fit.Interval;
import dev.proxylaw.analysis.fit.LinearFit;
import dev.proxylaw.analysis.fit.LossSurfaceFit;
import dev.proxylaw.analysis.fit.MaxLogitExtrapolation;
import dev.proxylaw.analysis.fit.TransferMetrics;
import dev.proxylaw.analysis.fit.PowerSchedulerFit;
import dev.proxylaw.analysis.fit.RunPoint;
import dev.proxylaw.analysis.fit.StepLawCoefficients;
import dev.proxylaw.analysis.fit.StepLawFit;
import dev.proxylaw.analysis.fit.StepLawHoldout;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Writes OUT/cells/, OUT/laws/, OUT/points/ (Parquet) and OUT/laws.json, whose keys the README documents. */
public final class FitOutput {
    static final StructType CELLS = new StructType()
            .add("family", DataTypes.StringType).add("cell", DataTypes.StringType)
            .add("n", DataTypes.DoubleType).add("d", DataTypes.DoubleType)
            .add("runs", DataTypes.IntegerType).add("diverged", DataTypes.IntegerType).add("failed", DataTypes.IntegerType)
            .add("all_diverged", DataTypes.BooleanType)
            .add("best_lr", DataTypes.DoubleType).add("best_batch_tokens", DataTypes.DoubleType)
            .add("best_loss", DataTypes.DoubleType).add("lr_opt", DataTypes.DoubleType)
            .add("batch_tokens_opt", DataTypes.DoubleType).add("edge", DataTypes.BooleanType)
            .add("refined", DataTypes.BooleanType).add("near_optimal", DataTypes.IntegerType)
            .add("lr_sensitivity", DataTypes.DoubleType)
            .add("width", DataTypes.DoubleType).add("depth", DataTypes.DoubleType).add("seq_len", DataTypes.DoubleType);
    /** One row per run as the fit saw it: the report's landscapes and LR curves are drawn from these. */
    static final StructType POINTS = new StructType()
            .add("family", DataTypes.StringType).add("cell", DataTypes.StringType)
            .add("n", DataTypes.DoubleType).add("d", DataTypes.DoubleType)
            .add("lr", DataTypes.DoubleType).add("batch_tokens", DataTypes.DoubleType)
            .add("loss", DataTypes.DoubleType).add("status", DataTypes.StringType)
            .add("near_optimal", DataTypes.BooleanType).add("best", DataTypes.BooleanType)
            .add("width", DataTypes.DoubleType).add("depth", DataTypes.DoubleType);
    static final StructType LAWS = new StructType()
            .add("family", DataTypes.StringType).add("law", DataTypes.StringType).add("coefficient", DataTypes.StringType)
            .add("point", DataTypes.DoubleType).add("mean", DataTypes.DoubleType)
            .add("lo95", DataTypes.DoubleType).add("hi95", DataTypes.DoubleType);

    private FitOutput() {
    }

    public static void write(SparkSession spark, FitJob.Result r, String out, Map<String, Object> header) throws IOException {
        List<Row> cells = new ArrayList<>();
        List<Row> points = new ArrayList<>();
        for (FitJob.CellRow c : r.cells()) {
            CellOptimum o = c.optimum();
            boolean has = o.best() != null;
            cells.add(RowFactory.create(c.family(), o.cell(), o.n(), o.d(), o.runs(), o.diverged(), o.failed(),
                    o.allDiverged(), has ? o.best().lr() : null, has ? o.best().batchTokens() : null,
                    has ? o.best().loss() : null, finite(o.lrOpt()), finite(o.batchTokensOpt()), o.edge(), o.refined(),
                    o.nearOptimal().size(), finite(c.lrSensitivity()), finite(c.width()), finite(c.depth()),
                    finite(c.seqLen())));
            java.util.Set<RunPoint> near = new java.util.HashSet<>(o.nearOptimal());
            for (RunPoint p : c.runs()) {
                points.add(RowFactory.create(c.family(), o.cell(), p.n(), p.d(), p.lr(), p.batchTokens(),
                        p.diverged() ? null : finite(p.loss()), p.status().name(), near.contains(p), p.equals(o.best()),
                        finite(c.width()), finite(c.depth())));
            }
        }
        List<Row> laws = new ArrayList<>();
        Map<String, Object> families = new LinkedHashMap<>();
        for (var e : r.families().entrySet()) {
            FitJob.FamilyLaws f = e.getValue();
            Map<String, Object> fam = new LinkedHashMap<>();
            if (f.stepLaw() != null) {
                StepLawFit.Result s = f.stepLaw();
                String[] names = {"c0", "cN", "cD", "k0", "kD"};
                Interval[] iv = {s.c0(), s.cN(), s.cD(), s.k0(), s.kD()};
                Map<String, Object> law = new LinkedHashMap<>();
                law.put("form", "ln lr = c0 + cN ln N + cD ln D; ln B_tokens = k0 + kD ln D");
                law.put("cells", s.cells());
                law.put("kept_runs", s.kept());
                for (int i = 0; i < names.length; i++) {
                    law.put(names[i], interval(iv[i]));
                    laws.add(RowFactory.create(e.getKey(), "step_law", names[i], iv[i].point(), iv[i].mean(), iv[i].lo(), iv[i].hi()));
                }
                law.put("lr_fit", fit(s.lrFit()));
                law.put("batch_fit", fit(s.batchFit()));
                law.put("replicates_used", s.replicatesUsed());
                law.put("all_diverged_cells", s.allDivergedCells());
                List<double[]> reps = new ArrayList<>();
                for (StepLawCoefficients c : f.replicates()) {
                    reps.add(new double[] {c.c0(), c.cN(), c.cD(), c.k0(), c.kD()});
                }
                law.put("replicates", reps);
                fam.put("step_law", law);
            }
            if (f.holdout() != null) {
                StepLawHoldout.Result h = f.holdout();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("held_out_n", h.heldOutN());
                m.put("mean_relative_error", h.meanRelativeError());
                m.put("max_relative_error", h.maxRelativeError());
                m.put("cells", h.cells().size());
                List<Map<String, Object>> checks = new ArrayList<>();
                for (StepLawHoldout.CellCheck cc : h.cells()) {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("cell", cc.cell());
                    x.put("n", cc.n());
                    x.put("d", cc.d());
                    x.put("lr_pred", cc.lrPred());
                    x.put("batch_tokens_pred", cc.batchTokensPred());
                    x.put("best_loss", cc.bestLoss());
                    x.put("relative_error", finite(cc.relativeError()));
                    checks.add(x);
                }
                m.put("checks", checks);
                fam.put("holdout", m);
            }
            if (f.power() != null) {
                PowerSchedulerFit.Result p = f.power();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("form", "ln(eta_opt / B_sequences) = ln a + b ln D");
                m.put("ln_a", interval(p.pooled().lnA()));
                m.put("b", interval(p.pooled().b()));
                m.put("sizes_agree", p.sizesAgree());
                Map<String, Object> bySize = new LinkedHashMap<>();
                for (PowerSchedulerFit.SizeFit sf : p.bySize()) {
                    bySize.put(sf.size(), Map.of("ln_a", interval(sf.lnA()), "b", interval(sf.b())));
                }
                m.put("by_size", bySize);
                fam.put("power", m);
                laws.add(RowFactory.create(e.getKey(), "power", "ln_a", p.pooled().lnA().point(), p.pooled().lnA().mean(),
                        p.pooled().lnA().lo(), p.pooled().lnA().hi()));
                laws.add(RowFactory.create(e.getKey(), "power", "b", p.pooled().b().point(), p.pooled().b().mean(),
                        p.pooled().b().lo(), p.pooled().b().hi()));
            }
            if (f.surface() != null) {
                LossSurfaceFit.Result ls = f.surface();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("form", "L(N, D) = E + A / N^alpha + B / D^beta (Huber in log space, multi-start)");
                m.put("cells", ls.cells());
                m.put("E", interval(ls.e()));
                m.put("A", interval(ls.a()));
                m.put("alpha", interval(ls.alpha()));
                m.put("B", interval(ls.b()));
                m.put("beta", interval(ls.beta()));
                m.put("log_rms", ls.logRms());
                m.put("replicates_used", ls.replicatesUsed());
                fam.put("loss_surface", m);
                String[] names = {"E", "A", "alpha", "B", "beta"};
                Interval[] iv = {ls.e(), ls.a(), ls.alpha(), ls.b(), ls.beta()};
                for (int i = 0; i < names.length; i++) {
                    laws.add(RowFactory.create(e.getKey(), "loss_surface", names[i], iv[i].point(), iv[i].mean(), iv[i].lo(), iv[i].hi()));
                }
            }
            if (f.maxLogit() != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("form", "ln max_logit_block0 = c + s ln N at the fixed step, per LR");
                m.put("threshold", f.maxLogit().threshold());
                List<Map<String, Object>> byLr = new ArrayList<>();
                for (MaxLogitExtrapolation.LrFit lf : f.maxLogit().fits()) {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("lr", lf.lr());
                    x.put("points", lf.points());
                    x.put("slope", lf.slope());
                    x.put("r2", lf.rSquared());
                    x.put("n_cross", Double.isFinite(lf.nCross()) ? lf.nCross() : null);
                    x.put("already_crossed", lf.alreadyCrossed());
                    byLr.add(x);
                }
                m.put("by_lr", byLr);
                m.put("unfit_lrs", f.maxLogit().unfitLrs());
                fam.put("max_logit", m);
            }
            fam.put("notes", f.notes());
            families.put(e.getKey(), fam);
        }
        spark.createDataFrame(cells, CELLS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/cells");
        spark.createDataFrame(laws, LAWS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/laws");
        spark.createDataFrame(points, POINTS).coalesce(1).write().mode(SaveMode.Overwrite).parquet(out + "/points");
        Map<String, Object> json = new LinkedHashMap<>(header);
        json.put("families", families);
        if (!r.transfer().isEmpty() || !r.transferSkipped().isEmpty()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("axis", r.transferAxis());
            Map<String, Object> byBudget = new LinkedHashMap<>();
            r.transfer().forEach((budget, result) -> byBudget.put(budget, transfer(result)));
            t.put("by_budget", byBudget);
            t.put("skipped", r.transferSkipped());
            json.put("transfer", t);
        }
        Path file = new Path(out, "laws.json");
        FileSystem fs = file.getFileSystem(new Configuration());
        Path tmp = new Path(out, "_laws.json.tmp");
        try (OutputStream o = fs.create(tmp, true)) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o, json);
        }
        fs.delete(file, false);
        fs.rename(tmp, file);
    }

    /** Per parameterization (family): slope of ln eta_opt on ln scale, extrapolation cost, asymptotic penalty. */
    private static Map<String, Object> transfer(TransferMetrics.Result t) {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Map<String, Object>> by = new LinkedHashMap<>();
        for (TransferMetrics.EtaFit f : t.etaFits()) {
            Map<String, Object> m = by.computeIfAbsent(f.parameterization(), k -> new LinkedHashMap<>());
            m.put("eta_slope", f.slope());
            m.put("eta_fit_residual_rms", f.residualRms());
            m.put("eta_fit_r2", f.rSquared());
            m.put("eta_fit_points", f.points());
        }
        for (TransferMetrics.Extrapolation x : t.extrapolations()) {
            Map<String, Object> m = by.computeIfAbsent(x.parameterization(), k -> new LinkedHashMap<>());
            m.put("extrapolation_scale", x.heldOutScale());
            m.put("extrapolation_cost", finite(x.cost()));
            m.put("extrapolation_clamped", x.clamped());
        }
        for (TransferMetrics.Asymptote a : t.asymptotes()) {
            Map<String, Object> m = by.computeIfAbsent(a.parameterization(), k -> new LinkedHashMap<>());
            m.put("l_inf", a.lInf());
            m.put("asymptotic_penalty", a.penalty());
        }
        out.put("by_parameterization", by);
        return out;
    }

    private static Map<String, Object> interval(Interval i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("point", i.point());
        m.put("mean", i.mean());
        m.put("lo95", i.lo());
        m.put("hi95", i.hi());
        return m;
    }

    private static Map<String, Object> fit(LinearFit f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("r2", f.rSquared());
        m.put("residual_rms", f.residualRms());
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
