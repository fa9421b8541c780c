package dev.proxylaw.jobs;

import dev.proxylaw.jobs.sweep.Plan;
import dev.proxylaw.jobs.sweep.Planner;
import dev.proxylaw.jobs.sweep.PlannedRun;
import dev.proxylaw.trainer.Corpora;
import dev.proxylaw.trainer.NativeThreads;
import dev.proxylaw.trainer.config.DataConfig;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.metrics.ModelStats;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code proxylaw plan SWEEP.yaml}: validates and expands a sweep, estimates its cost. Nothing is trained or written. */
final class PlanCommand {
    private PlanCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Args a = new Args("plan", argv, 1, Set.of("cores", "no-measure", "show", "pack-size"));
        if (a.positional.size() != 1) {
            throw new UserError("Usage: proxylaw plan SWEEP.yaml [--cores N] [--pack-size 8] [--no-measure true] [--show 10]");
        }
        Plan plan = Planner.load(a.positional.get(0), TrainCommand.hadoopConf());
        int cores = a.intValue("cores", Runtime.getRuntime().availableProcessors());
        boolean measure = !Boolean.parseBoolean(a.get("no-measure", "false"));
        int packSize = a.intValue("pack-size", SweepCommand.DEFAULT_PACK);
        if (packSize < 1) {
            throw new UserError("Cannot plan with --pack-size " + packSize + ": it must be at least 1.");
        }
        NativeThreads.set(1);
        // the sweep packs runs of one shape, up to --pack-size together: time each shape at its pack size
        Map<String, Integer> perShape = new HashMap<>();
        plan.runs().forEach(r -> perShape.merge(dev.proxylaw.trainer.PackTrainer.shapeKey(r.config()), 1, Integer::sum));
        Map<DataConfig, Integer> vocab = new HashMap<>();
        Map<String, Double> tps = new LinkedHashMap<>();
        double flops = 0;
        double coreSeconds = 0;
        for (PlannedRun r : plan.runs()) {
            var c = r.config();
            int v = c.model().vocab() != null ? c.model().vocab()
                    : vocab.computeIfAbsent(c.data(), d -> Corpora.load(d).vocabSize());
            ModelConfig m = c.model().withVocab(v);
            long tokens = c.totalSteps() * c.tokensPerStep();
            flops += ModelStats.of(m, 0, 0).flopsPerToken() * tokens;
            if (measure) {
                int k = Math.min(packSize, perShape.get(dev.proxylaw.trainer.PackTrainer.shapeKey(c)));
                String shape = String.format("d=%d L=%d heads=%d seq=%d batch=%d vocab=%d, %s", m.dModel(), m.nLayers(),
                        m.nHeads(), m.seqLen(), c.train().batchSize(), v, k == 1 ? "solo" : "packs of " + k);
                double t = tps.computeIfAbsent(shape, x -> k == 1 ? Throughput.tokensPerSecond(m, c.train().batchSize(), 1, 2)
                        : Throughput.packedTokensPerSecond(m, c.train().batchSize(), k, 1, 2));
                coreSeconds += tokens / t;
            }
        }
        out.printf("sweep %s: %,d runs, %,d tokens, %.3g training FLOPs%n", plan.sweep(), plan.runs().size(),
                plan.totalTokens(), flops);
        tps.forEach((shape, t) -> out.printf("  measured %,.0f tokens/s on one thread: %s%n", t, shape));
        if (measure) {
            out.printf("estimated time: %.1f core-hours, about %s on %d cores (one single-threaded task per core)%n",
                    coreSeconds / 3600, dev.proxylaw.jobs.sweep.Progress.clock(coreSeconds / cores), cores);
        }
        out.println("what this plan can identify (per family: everything but size, budget, LR, batch and seed):");
        String family = null;
        for (dev.proxylaw.jobs.sweep.PlanChecks.Check c : dev.proxylaw.jobs.sweep.PlanChecks.of(plan)) {
            if (!c.family().equals(family)) {
                family = c.family();
                out.println("  family " + family);
            }
            out.printf("    %-4s %-48s %s%n", c.identifiable() ? "yes" : "NO", c.what(), c.why());
        }
        int show = a.intValue("show", 5);
        plan.runs().stream().limit(show).forEach(r -> out.printf("  run %s  %s%n", r.id(), r.label()));
        if (plan.runs().size() > show) {
            out.printf("  ... %,d more%n", plan.runs().size() - show);
        }
        return 0;
    }
}
