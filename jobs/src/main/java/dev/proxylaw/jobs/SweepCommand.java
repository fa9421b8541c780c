package dev.proxylaw.jobs;

import dev.proxylaw.jobs.io.DriverLease;
import dev.proxylaw.jobs.spark.Spark;
import dev.proxylaw.jobs.spark.SparkSettings;
import dev.proxylaw.jobs.spark.TaskMemory;
import dev.proxylaw.jobs.sweep.Plan;
import dev.proxylaw.jobs.sweep.Planner;
import dev.proxylaw.jobs.sweep.SweepJob;
import dev.proxylaw.trainer.config.RunChecks;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * {@code proxylaw sweep SWEEP.yaml --out DIR [--master URL] [--properties FILE] [--conf k=v]...}: every run of a sweep,
 * as Spark tasks, exactly once into DIR. Re-running the same command after a crash trains only the
 * runs without a terminal row.
 */
final class SweepCommand {
    static final Set<String> FLAGS = SparkOptions.with("out", "max-attempts", "timeout-minutes", "runs-per-task",
            "threads-per-task", "pack-size", "wait", "lease-seconds");

    /** Runs of one shape trained together by default: see docs/performance.md for the measured gain. */
    static final int DEFAULT_PACK = 8;

    private SweepCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Args a = new Args("sweep", argv, 1, FLAGS);
        // first: a cluster-mode file is answered with the spark-submit command, --out or not
        SparkSettings spark = SparkOptions.settings(a, argv);
        if (a.positional.size() != 1 || a.get("out", null) == null) {
            throw new UserError("Usage: proxylaw sweep SWEEP.yaml --out DIR " + SparkOptions.USAGE
                    + " [--max-attempts 3] [--timeout-minutes 0] [--pack-size 8] [--runs-per-task 1] [--threads-per-task 1]"
                    + " [--wait false] [--lease-seconds 60]");
        }
        Plan plan = Planner.load(a.positional.get(0), spark.hadoopConf());
        return run(plan, a, spark, out);
    }

    /** Shared with the demo: plan already made, flags parsed, Spark's settings checked. */
    static int run(Plan plan, Args a, SparkSettings settings, PrintStream out) {
        SweepJob.Options options = new SweepJob.Options(a.intValue("max-attempts", 3),
                a.doubleValue("timeout-minutes", 0) * 60, a.intValue("runs-per-task", 1), a.intValue("threads-per-task", 1),
                a.intValue("pack-size", DEFAULT_PACK));
        if (options.maxAttempts() < 1 || options.runsPerTask() < 1 || options.threadsPerTask() < 1 || options.packSize() < 1) {
            throw new UserError("Cannot sweep: --max-attempts, --runs-per-task, --threads-per-task and --pack-size must be "
                    + "at least 1.");
        }
        int leaseSeconds = a.intValue("lease-seconds", 60);
        if (leaseSeconds < 1) {
            throw new UserError("Cannot sweep: --lease-seconds=" + leaseSeconds + " must be at least 1.");
        }
        // one single-threaded training per core; a task needs as many cores as threads it trains with
        settings.conf().setIfMissing("spark.task.cpus", String.valueOf(options.threadsPerTask()));
        Map<String, String> conf = new HashMap<>();
        for (scala.Tuple2<String, String> kv : settings.conf().getAll()) {
            conf.put(kv._1(), kv._2());
        }
        TaskMemory memory = TaskMemory.of(settings.master(), conf);
        String spec = a.positional.isEmpty() ? "sweep " + plan.sweep() : "sweep spec " + a.positional.get(0);
        plan.runs().forEach(r -> RunChecks.fits(r.config(), spec + " run " + r.id() + " [" + r.label() + "]", memory.bytes(),
                memory.where(), memory.raise()));
        org.apache.hadoop.fs.Path dir = TrainCommand.checkWritable(a.get("out", null));
        // one driver per directory: a second one refuses (or waits) instead of training every pending run again
        try (DriverLease lease = DriverLease.acquire(dir, TrainCommand.hadoopConf(), Duration.ofSeconds(leaseSeconds),
                a.booleanValue("wait", false), out)) {
            return run(plan, dir, options, settings, out);
        }
    }

    private static int run(Plan plan, org.apache.hadoop.fs.Path dir, SweepJob.Options options, SparkSettings settings,
                           PrintStream out) {
        SweepJob job = new SweepJob(plan, dir, TrainCommand.hadoopConf(), options, out);
        job.validate();   // data readable, the directory holds this plan or nothing: before any executor starts
        SparkSession spark = Spark.session("proxylaw sweep " + plan.sweep(), settings);
        try {
            SweepJob.Summary s = job.run(spark);
            out.printf("sweep %s done: %d planned, %d completed, %d diverged, %d given up, %d were already there; "
                    + "%,d tokens trained now. Output: %s (runs/, steps/)%n", plan.sweep(), s.planned(), s.completed(),
                    s.diverged(), s.givenUp(), s.alreadyDone(), s.tokens(), dir);
            return s.givenUp() > 0 ? 1 : 0;
        } finally {
            spark.stop();
        }
    }
}
