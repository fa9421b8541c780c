package dev.proxylaw.jobs;

import dev.proxylaw.jobs.io.ParquetRunSink;
import dev.proxylaw.jobs.sweep.Plan;
import dev.proxylaw.jobs.sweep.PlannedRun;
import dev.proxylaw.jobs.sweep.Planner;
import dev.proxylaw.trainer.NativeThreads;
import dev.proxylaw.trainer.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FileSystem;

/**
 * {@code proxylaw bench sweep}: the runs of a sweep (32 tiny ones by default) through the Spark sweep on
 * local[N] and through a plain loop of N threads in this JVM, with the same Parquet output. The ratio is
 * what Spark costs: scheduling, serialisation, session start. Asserts nothing.
 */
final class SweepBench {
    private SweepBench() {
    }

    static int run(Args a, PrintStream out) throws Exception {
        Plan plan = Planner.load(a.get("spec", "conf/sweeps/bench32.yaml"), TrainCommand.hadoopConf());
        int cores = Runtime.getRuntime().availableProcessors();
        String base = a.get("out", "out/bench-sweep");
        int rounds = a.intValue("rounds", 2);
        String pack = a.get("pack-size", String.valueOf(SweepCommand.DEFAULT_PACK));
        out.printf("%d runs of sweep %s, %d at a time, one thread each; best of %d alternating rounds of: a plain loop of "
                + "solo runs, the Spark sweep solo (--pack-size 1), the Spark sweep packed (--pack-size %s)%n",
                plan.runs().size(), plan.sweep(), cores, rounds, pack);
        double loop = Double.MAX_VALUE;
        double solo = Double.MAX_VALUE;
        double packed = Double.MAX_VALUE;
        int code = 0;
        for (int round = 1; round <= rounds; round++) {
            double l = plainLoop(plan, new org.apache.hadoop.fs.Path(base, "loop"), cores);
            double s = sweep(plan, base + "/solo", cores, "1");
            double p = sweep(plan, base + "/packed", cores, pack);
            code = Math.max(code, lastCode);
            out.printf("round %d: plain loop (%d threads, one JVM) %6.1f s | Spark sweep solo %6.1f s (%.3f x the loop) | "
                    + "packed %6.1f s (%.2f x faster than solo)%n", round, cores, l, s, s / l, p, s / p);
            loop = Math.min(loop, l);
            solo = Math.min(solo, s);
            packed = Math.min(packed, p);
        }
        out.printf("best: plain loop %.1f s, Spark sweep solo %.1f s (ratio to the loop %.3f), packed %.1f s "
                + "(packed speed-up over solo %.2f)%n", loop, solo, solo / loop, packed, solo / packed);
        return code;
    }

    private static int lastCode;

    /** One Spark sweep of the plan into a fresh directory, session start included; seconds. */
    private static double sweep(Plan plan, String dir, int cores, String packSize) throws Exception {
        clear(new org.apache.hadoop.fs.Path(dir));
        long t0 = System.nanoTime();
        String[] argv = {"sweep", "-", "--out", dir, "--master", "local[" + cores + "]", "--pack-size", packSize};
        Args sweepArgs = new Args("sweep", argv, 1, SweepCommand.FLAGS);
        lastCode = SweepCommand.run(plan, sweepArgs, SparkOptions.settings(sweepArgs, argv),
                new PrintStream(java.io.OutputStream.nullOutputStream()));
        return (System.nanoTime() - t0) / 1e9;
    }

    static double plainLoop(Plan plan, org.apache.hadoop.fs.Path dir, int threads) throws Exception {
        clear(dir);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (PlannedRun r : plan.runs()) {
            futures.add(pool.submit(() -> {
                NativeThreads.set(1);
                new Trainer(r.config()).run(new ParquetRunSink(dir, TrainCommand.hadoopConf(), r.config(), plan.sweep(), 1));
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void clear(org.apache.hadoop.fs.Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem(TrainCommand.hadoopConf());
        fs.delete(dir, true);
    }
}
