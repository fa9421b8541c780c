package dev.proxylaw.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxylaw.analysis.fit.Bootstrap;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code proxylaw predict --laws DIR --N N --D D}: the Step Law's LR and batch for a target model, with
 * 95% intervals from the bootstrap replicates stored in laws.json; {@code --power-batch B} adds the
 * Power-scheduler LR curve for a batch of B sequences.
 */
final class PredictCommand {
    private PredictCommand() {
    }

    static int run(String[] argv, PrintStream out) throws IOException {
        Args a = new Args("predict", argv, 1, Set.of("laws", "N", "D", "family", "power-batch", "eta-max"));
        if (a.get("laws", null) == null || a.get("N", null) == null || a.get("D", null) == null) {
            throw new UserError("Usage: proxylaw predict --laws DIR --N PARAMS --D TOKENS [--family F] "
                    + "[--power-batch SEQUENCES --eta-max 0.02]");
        }
        double n = a.doubleValue("N", 0);
        double d = a.doubleValue("D", 0);
        if (!(n > 0) || !(d > 0)) {
            throw new UserError("Cannot predict: --N and --D must be positive (non-embedding parameters, tokens).");
        }
        Path file = new Path(a.get("laws", null), "laws.json");
        FileSystem fs = file.getFileSystem(TrainCommand.hadoopConf());
        if (!fs.exists(file)) {
            throw new UserError("Cannot predict: " + file + " does not exist. Run proxylaw fit first.");
        }
        JsonNode root;
        try (InputStream in = fs.open(file)) {
            root = new ObjectMapper().readTree(in);
        }
        JsonNode families = root.path("families");
        List<String> names = new ArrayList<>();
        families.fieldNames().forEachRemaining(names::add);
        String family = a.get("family", names.size() == 1 ? names.get(0) : null);
        if (family == null || !families.has(family)) {
            throw new UserError("Cannot predict: choose --family, one of: " + String.join(" | ", names));
        }
        JsonNode law = families.get(family).path("step_law");
        if (law.isMissingNode()) {
            throw new UserError("Cannot predict: family '" + family + "' has no Step Law fit ("
                    + families.get(family).path("notes") + ").");
        }
        double[] lr = new double[law.get("replicates").size()];
        double[] bt = new double[lr.length];
        int k = 0;
        for (Iterator<JsonNode> it = law.get("replicates").elements(); it.hasNext(); ) {
            JsonNode c = it.next();   // c0, cN, cD, k0, kD
            lr[k] = Math.exp(c.get(0).asDouble() + c.get(1).asDouble() * Math.log(n) + c.get(2).asDouble() * Math.log(d));
            bt[k] = Math.exp(c.get(3).asDouble() + c.get(4).asDouble() * Math.log(d));
            k++;
        }
        double lrPoint = Math.exp(law.at("/c0/point").asDouble() + law.at("/cN/point").asDouble() * Math.log(n)
                + law.at("/cD/point").asDouble() * Math.log(d));
        double btPoint = Math.exp(law.at("/k0/point").asDouble() + law.at("/kD/point").asDouble() * Math.log(d));
        out.printf("family %s, N = %.4g, D = %.4g%n", family, n, d);
        out.printf("  peak LR       %.4g   (95%%: %.4g .. %.4g)%n", lrPoint, Bootstrap.percentile(lr, 0.025), Bootstrap.percentile(lr, 0.975));
        out.printf("  batch tokens  %.4g   (95%%: %.4g .. %.4g)%n", btPoint, Bootstrap.percentile(bt, 0.025), Bootstrap.percentile(bt, 0.975));
        JsonNode power = families.get(family).path("power");
        if (a.get("power-batch", null) != null) {
            if (power.isMissingNode()) {
                throw new UserError("Cannot print the Power-scheduler curve: family '" + family + "' has no Power fit.");
            }
            double b = a.doubleValue("power-batch", 0);
            double etaMax = a.doubleValue("eta-max", 0.02);
            double lnA = power.at("/ln_a/point").asDouble();
            double bExp = power.at("/b/point").asDouble();
            out.printf("  Power scheduler: eta(n) = min(%.3g, %.0f * %.4g * n^%.4f)%n", etaMax, b, Math.exp(lnA), bExp);
            for (int i = 1; i <= 10; i++) {
                double tokens = d * i / 10;
                out.printf("    n = %-10.4g eta = %.4g%n", tokens, Math.min(etaMax, b * Math.exp(lnA) * Math.pow(tokens, bExp)));
            }
        }
        return 0;
    }
}
