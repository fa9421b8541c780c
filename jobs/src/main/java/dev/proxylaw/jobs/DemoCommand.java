package dev.proxylaw.jobs;

import dev.proxylaw.jobs.io.ParquetRunSink;
import dev.proxylaw.trainer.NativeThreads;
import dev.proxylaw.trainer.Trainer;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.RunStatus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code proxylaw demo}: the fullest chain that exists today. Trains conf/runs/tiny.yaml on the
 * embedded Markov corpus at a ladder of peak LRs, one single-threaded training per core, writes
 * them to one Parquet dataset and prints loss against LR with the optimum marked.
 */
final class DemoCommand {
    static final double[] LADDER = {3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 1.0};

    private DemoCommand() {
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        Args a = new Args("demo", argv, 1, Set.of("out", "config", "parallel"));
        Path config = Path.of(a.get("config", "conf/runs/tiny.yaml"));
        int parallel = a.intValue("parallel", Runtime.getRuntime().availableProcessors());
        NativeThreads.set(1);
        RunConfig base = ConfigIo.load(config);
        new Trainer(base);   // validate before writing anything
        org.apache.hadoop.fs.Path dir = TrainCommand.checkWritable(a.get("out", "out/demo"));
        out.printf("demo: %d runs of %s (%,d steps x %,d tokens each), %d at a time, into %s%n", LADDER.length,
                config, base.totalSteps(), base.tokensPerStep(), parallel, dir);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        List<Future<RunResult>> futures = new ArrayList<>();
        for (double lr : LADDER) {
            RunConfig cfg = base.withOptim(base.optim().withLr(lr));
            futures.add(pool.submit(() -> {
                NativeThreads.set(1);
                ParquetRunSink sink = new ParquetRunSink(dir, TrainCommand.hadoopConf(), cfg, "demo");
                return new Trainer(cfg).run(MetricsSink.tee(sink,
                        new ConsoleProgress(out, cfg.totalSteps(), 1e9, String.format("[lr %.0e] ", lr))));
            }));
        }
        List<RunResult> results = new ArrayList<>();
        for (Future<RunResult> f : futures) {
            results.add(f.get());
        }
        pool.shutdown();
        int best = -1;
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            if (r.status() == RunStatus.COMPLETED && r.finalValLoss() != null
                    && (best < 0 || r.finalValLoss() < results.get(best).finalValLoss())) {
                best = i;
            }
        }
        out.println();
        out.println("    peak lr   status      val loss");
        for (int i = 0; i < results.size(); i++) {
            RunResult r = results.get(i);
            out.printf("  %9.1e   %-10s  %s%s%n", LADDER[i], r.status(),
                    r.finalValLoss() == null ? "-" : String.format("%.4f", r.finalValLoss()),
                    i == best ? "   <- optimum" : "");
        }
        out.printf("%nParquet dataset: %s/runs and %s/steps (%d runs)%n", dir, dir, results.size());
        return results.stream().anyMatch(r -> r.status() == RunStatus.FAILED) ? 1 : 0;
    }
}
