package dev.proxylaw.jobs;

import dev.proxylaw.analysis.fit.Bootstrap;
import dev.proxylaw.analysis.fit.StepLawCoefficients;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.analysis.fit.laws.LawsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code proxylaw predict --laws DIR --N N --D D}: the Step Law's LR and batch for a target model, with
 * 95% intervals from the bootstrap replicates stored in laws.json; {@code --power-batch B} adds the
 * Power-scheduler LR curve for a batch of B sequences. {@code --format json} prints the same as one JSON
 * object (with a run-config fragment) for a training job to read. A target outside the fitted N or D range
 * is an extrapolation, and says so.
 */
final class PredictCommand {
    private PredictCommand() {
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = new Args("predict", argv, 1, Set.of("laws", "N", "D", "family", "power-batch", "eta-max", "format"));
        if (a.get("laws", null) == null || a.get("N", null) == null || a.get("D", null) == null) {
            throw new UserError("Usage: proxylaw predict --laws DIR --N PARAMS --D TOKENS [--family SHORT|KEY] "
                    + "[--power-batch SEQUENCES --eta-max 0.02] [--format text|json]");
        }
        double n = a.doubleValue("N", 0);
        double d = a.doubleValue("D", 0);
        String format = a.get("format", "text");
        if (!(n > 0) || !(d > 0)) {
            throw new UserError("Cannot predict: --N and --D must be positive (non-embedding parameters, tokens).");
        }
        if (!format.equals("text") && !format.equals("json")) {
            throw new UserError("Cannot predict: --format " + format + " is not text or json.");
        }
        LawsDocument laws = read(a.get("laws", null));
        List<String> listing = new ArrayList<>();
        laws.families().forEach((name, f) -> listing.add(f.shortName() + " = " + name));
        String wanted = a.get("family", laws.families().size() == 1 ? laws.families().keySet().iterator().next() : null);
        String family = null;
        for (var e : laws.families().entrySet()) {
            if (e.getKey().equals(wanted) || e.getValue().shortName().equals(wanted)) {
                family = e.getKey();
            }
        }
        if (family == null) {
            throw new UserError("Cannot predict: choose --family, one of: " + String.join(" | ", listing));
        }
        LawsDocument.Family fam = laws.families().get(family);
        LawsDocument.StepLaw law = fam.stepLaw();
        if (law == null || !law.cN().identified() || !law.cD().identified()) {
            throw new UserError("Cannot predict: family " + fam.shortName() + " has no identified Step Law for lr ("
                    + String.join(" ", fam.notes()) + ").");
        }
        StepLawCoefficients point = law.point();
        double[] lr = new double[law.replicates().size()];
        double[] bt = new double[lr.length];
        for (int k = 0; k < lr.length; k++) {
            StepLawCoefficients c = StepLawCoefficients.of(law.replicates().get(k));
            lr[k] = c.predictLr(n, d);
            bt[k] = c.predictBatchTokens(d);
        }
        boolean batchKnown = law.kD().identified();
        List<String> warnings = new ArrayList<>();
        outside(warnings, "N", n, fam.fittedN());
        outside(warnings, "D", d, fam.fittedD());
        if (!batchKnown) {
            warnings.add("batch is not predicted: " + law.kD().unidentified());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("family", family);
        json.put("short_name", fam.shortName());
        json.put("N", n);
        json.put("D", d);
        json.put("lr", interval(point.predictLr(n, d), lr));
        json.put("batch_tokens", batchKnown ? interval(point.predictBatchTokens(d), bt) : null);
        Map<String, Object> optim = new LinkedHashMap<>();
        optim.put("lr", point.predictLr(n, d));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("optim", optim);
        if (batchKnown) {
            config.put("train", Map.of("batch_tokens", Math.round(point.predictBatchTokens(d))));
        }
        json.put("run_config", config);
        json.put("warnings", warnings);
        double[] curve = null;
        if (a.get("power-batch", null) != null) {
            LawsDocument.Power power = fam.power();
            if (power == null) {
                throw new UserError("Cannot print the Power-scheduler curve: family " + fam.shortName() + " has no Power fit.");
            }
            double b = a.doubleValue("power-batch", 0);
            double etaMax = a.doubleValue("eta-max", 0.02);
            double scale = b * Math.exp(power.lnA().value());
            curve = new double[10];
            for (int i = 1; i <= 10; i++) {
                curve[i - 1] = Math.min(etaMax, scale * Math.pow(d * i / 10, power.b().value()));
            }
            json.put("power", Map.of("batch_sequences", b, "eta_max", etaMax, "a", Math.exp(power.lnA().value()),
                    "b", power.b().value(), "eta_at_tenths_of_D", curve));
        }
        if (format.equals("json")) {
            out.println(LawsFile.toJson(json));
            return 0;
        }
        out.printf("family %s, N = %.4g, D = %.4g%n", fam.shortName(), n, d);
        out.printf("  peak LR       %.4g   (95%%: %.4g .. %.4g)%n", point.predictLr(n, d), Bootstrap.percentile(lr, 0.025),
                Bootstrap.percentile(lr, 0.975));
        if (batchKnown) {
            out.printf("  batch tokens  %.4g   (95%%: %.4g .. %.4g)%n", point.predictBatchTokens(d),
                    Bootstrap.percentile(bt, 0.025), Bootstrap.percentile(bt, 0.975));
        }
        if (curve != null) {
            out.printf("  Power scheduler: eta(n) = min(%.3g, %s * %.4g * n^%.4f)%n", a.doubleValue("eta-max", 0.02),
                    a.get("power-batch", null), Math.exp(fam.power().lnA().value()), fam.power().b().value());
            for (int i = 1; i <= 10; i++) {
                out.printf("    n = %-10.4g eta = %.4g%n", d * i / 10, curve[i - 1]);
            }
        }
        warnings.forEach(w -> out.println("  warning: " + w));
        return 0;
    }

    private static void outside(List<String> warnings, String axis, double v, double[] range) {
        if (range != null && (v < range[0] || v > range[1])) {
            warnings.add(String.format("%s = %.4g lies outside the fitted range %.4g .. %.4g: an extrapolation", axis, v,
                    range[0], range[1]));
        }
    }

    private static Map<String, Double> interval(double point, double[] reps) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("point", point);
        m.put("lo95", Bootstrap.percentile(reps, 0.025));
        m.put("hi95", Bootstrap.percentile(reps, 0.975));
        return m;
    }

    static LawsDocument read(String dir) throws IOException {
        Path file = new Path(dir, "laws.json");
        FileSystem fs = file.getFileSystem(TrainCommand.hadoopConf());
        if (!fs.exists(file)) {
            throw new UserError("Cannot predict: " + file + " does not exist. Run proxylaw fit first.");
        }
        try (InputStream in = fs.open(file)) {
            return LawsFile.read(in, file.toString());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }
}
