package dev.proxylaw.jobs.sweep;

import dev.proxylaw.jobs.UserError;
import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.trainer.Corpora;
import dev.proxylaw.trainer.PackTrainer;
import dev.proxylaw.trainer.config.DataConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The driver of a sweep. The output directory is the ledger: runs with a terminal row are never
 * trained again, FAILED runs are retried up to {@code maxAttempts}, and a directory written by another
 * plan is refused. Each bin of runs is its own Spark job, described by its run ids, so the UI and the
 * event log name the runs, and outcomes arrive as each bin finishes.
 */
public final class SweepJob {
    /**
     * @param packSize the most runs of one shape trained together in one task (1: every run alone)
     * @param runsPerTask runs trained one after another in one task, when not packed
     */
    public record Options(int maxAttempts, double timeoutSeconds, int runsPerTask, int threadsPerTask, int packSize) {
    }

    public record Summary(int planned, int completed, int diverged, int givenUp, int alreadyDone, long tokens) {
    }

    private final Plan plan;
    private final Path out;
    private final Configuration hadoopConf;
    private final Options options;
    private final PrintStream console;

    public SweepJob(Plan plan, Path out, Configuration hadoopConf, Options options, PrintStream console) {
        this.plan = plan;
        this.out = out;
        this.hadoopConf = hadoopConf;
        this.options = options;
        this.console = console;
    }

    /** Everything that can be checked without Spark: data readable, directory holds this plan or nothing. */
    public void validate() {
        Set<DataConfig> seen = new HashSet<>();
        for (PlannedRun r : plan.runs()) {
            if (seen.add(r.config().data())) {
                Corpora.load(r.config().data());
            }
        }
        checkPlanFile();
    }

    private void checkPlanFile() {
        Path planFile = new Path(out, "_sweep.json");
        try {
            FileSystem fs = out.getFileSystem(hadoopConf);
            String want = "{\"sweep\": \"" + plan.sweep() + "\", \"plan_hash\": \"" + plan.hash() + "\", \"runs\": "
                    + plan.runs().size() + "}\n";
            if (fs.exists(planFile)) {
                String have;
                try (var in = fs.open(planFile)) {
                    have = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (!have.equals(want)) {
                    throw new UserError("Cannot sweep into " + out + ": it holds another plan (" + have.strip() + "; this one is "
                            + want.strip() + "). Use a new --out directory, or restore the spec that wrote it.");
                }
                return;
            }
            fs.mkdirs(out);
            try (FSDataOutputStream o = fs.create(planFile, false)) {
                o.write(want.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + planFile + ": " + e.getMessage(), e);
        }
    }

    public Summary run(SparkSession spark) {
        Ledger ledger = Ledger.repair(out, hadoopConf, console);   // damaged files set aside: their runs train again
        Map<String, Integer> attempts = new HashMap<>(ledger.failedAttempts());
        List<TaskSpec> pending = new ArrayList<>();
        Map<String, String> shapes = new HashMap<>();
        Map<String, Long> steps = new HashMap<>();
        int alreadyDone = 0;
        int givenUpBefore = 0;
        for (PlannedRun r : plan.runs()) {
            if (ledger.terminal().contains(r.id())) {
                alreadyDone++;
            } else if (ledger.attempts(r.id()) >= options.maxAttempts()) {
                givenUpBefore++;
            } else {
                pending.add(spec(r, ledger.attempts(r.id()) + 1));
                shapes.put(r.id(), PackTrainer.shapeKey(r.config()));
                steps.put(r.id(), r.config().totalSteps());
            }
        }
        console.printf("sweep %s: %d runs planned, %d already in %s, %d given up after %d attempts, %d to train%n",
                plan.sweep(), plan.runs().size(), alreadyDone, out, givenUpBefore, options.maxAttempts(), pending.size());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Map<String, String> hconf = new HashMap<>();
        for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAllWithPrefix("spark.hadoop.")) {
            hconf.put(kv._1(), kv._2());
        }
        RunTask task = new RunTask(out.toString(), plan.sweep(), hconf, options.threadsPerTask(), options.timeoutSeconds(),
                options.packSize() > 1);
        int slots = jsc.defaultParallelism();
        Progress progress = new Progress(console, plan.sweep(), pending.size(), slots);
        List<List<TaskSpec>> bins = options.packSize() > 1
                ? Packs.of(pending, s -> shapes.get(s.runId()), s -> steps.get(s.runId()), options.packSize(), slots)
                : bins(pending);
        if (options.packSize() > 1 && !pending.isEmpty()) {
            console.printf("sweep %s: %d runs in %d packs of up to %d runs of one shape (--pack-size; 1 trains each alone)%n",
                    plan.sweep(), pending.size(), bins.size(), options.packSize());
        }
        Deque<List<TaskSpec>> queue = new ArrayDeque<>(bins);
        Map<JavaFutureAction<List<RunOutcome>>, List<TaskSpec>> inflight = new HashMap<>();
        int maxInflight = slots * 2 + 2;
        while (!queue.isEmpty() || !inflight.isEmpty()) {
            while (!queue.isEmpty() && inflight.size() < maxInflight) {
                List<TaskSpec> bin = queue.poll();
                jsc.setJobDescription("proxylaw sweep " + plan.sweep() + ": " + describe(bin));
                inflight.put(jsc.parallelize(bin, 1).mapPartitions(task).collectAsync(), bin);
            }
            progress.running = Math.min(inflight.size(), slots);
            for (Iterator<Map.Entry<JavaFutureAction<List<RunOutcome>>, List<TaskSpec>>> it = inflight.entrySet().iterator();
                 it.hasNext(); ) {
                var e = it.next();
                if (!e.getKey().isDone()) {
                    continue;
                }
                it.remove();
                List<RunOutcome> outcomes = outcomes(e.getKey(), e.getValue());
                List<TaskSpec> retry = new ArrayList<>();
                for (RunOutcome o : outcomes) {
                    boolean again = false;
                    if (o.status().equals("FAILED")) {
                        int n = attempts.merge(o.runId(), 1, Integer::sum);
                        again = n < options.maxAttempts();
                        console.printf("  run %s (%s) attempt %d FAILED%s: %s%n", o.runId(), o.label(), o.attempt(),
                                again ? ", will retry" : ", giving up", o.error());
                        if (again) {
                            TaskSpec s = find(e.getValue(), o.runId());
                            retry.add(new TaskSpec(s.runId(), s.configJson(), s.label(), n + 1));
                        }
                    }
                    progress.record(o, again);
                }
                retry.forEach(s -> queue.add(List.of(s)));
            }
            progress.maybePrint(false);
            sleep();
        }
        progress.running = 0;
        progress.maybePrint(true);
        jsc.setJobDescription(null);
        dev.proxylaw.jobs.io.ParquetRunSink.tidy(out, hadoopConf);
        return new Summary(plan.runs().size(), progress.completed, progress.diverged, progress.givenUp + givenUpBefore,
                alreadyDone + progress.already, progress.tokens);
    }

    /** A Spark job that failed as a whole (executor lost too often, task killed) counts as a failed attempt of each run. */
    private static List<RunOutcome> outcomes(JavaFutureAction<List<RunOutcome>> f, List<TaskSpec> bin) {
        try {
            return f.get();
        } catch (ExecutionException | InterruptedException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String msg = cause.getMessage() == null ? cause.toString() : cause.getMessage().lines().findFirst().orElse("");
            List<RunOutcome> failed = new ArrayList<>();
            for (TaskSpec s : bin) {
                failed.add(new RunOutcome(s.runId(), s.label(), s.attempt(), "FAILED", 0, 0, null, "Spark job failed: " + msg, "?"));
            }
            return failed;
        }
    }

    private List<List<TaskSpec>> bins(List<TaskSpec> pending) {
        List<List<TaskSpec>> out = new ArrayList<>();
        for (int i = 0; i < pending.size(); i += options.runsPerTask()) {
            out.add(List.copyOf(pending.subList(i, Math.min(pending.size(), i + options.runsPerTask()))));
        }
        return out;
    }

    private static TaskSpec spec(PlannedRun r, int attempt) {
        return new TaskSpec(r.id(), dev.proxylaw.trainer.config.ConfigIo.canonicalJson(r.config()), r.label(), attempt);
    }

    private static TaskSpec find(List<TaskSpec> bin, String runId) {
        return bin.stream().filter(s -> s.runId().equals(runId)).findFirst().orElseThrow();
    }

    private static String describe(List<TaskSpec> bin) {
        StringBuilder sb = new StringBuilder();
        if (bin.size() > 1) {
            sb.append(bin.size()).append(" runs: ");
        }
        for (TaskSpec s : bin) {
            sb.append(sb.length() == 0 || sb.toString().endsWith(": ") ? "" : "; ").append("run ").append(s.runId()).append(" [").append(s.label())
                    .append("] attempt ").append(s.attempt());
        }
        return sb.toString();
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
