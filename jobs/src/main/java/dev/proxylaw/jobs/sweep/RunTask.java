package dev.proxylaw.jobs.sweep;

import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.jobs.io.ParquetRunSink;
import dev.proxylaw.trainer.NativeThreads;
import dev.proxylaw.trainer.PackTrainer;
import dev.proxylaw.trainer.Trainer;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.RunResult;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * The executor side of a sweep: trains the runs of one bin one after another, each committed on its
 * own (see {@link ParquetRunSink}). A run whose row already exists is skipped, so a retried task
 * resumes where the lost one stopped.
 */
public final class RunTask implements FlatMapFunction<Iterator<TaskSpec>, RunOutcome> {
    private final String out;
    private final String sweepId;
    private final Map<String, String> hadoopConf;
    private final int threads;
    private final double timeoutSeconds;
    private final boolean pack;

    /** {@code pack}: a bin of several runs is one pack trained together, else its runs train one after another. */
    public RunTask(String out, String sweepId, Map<String, String> hadoopConf, int threads, double timeoutSeconds,
                   boolean pack) {
        this.pack = pack;
        this.out = out;
        this.sweepId = sweepId;
        this.hadoopConf = hadoopConf;
        this.threads = threads;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public Iterator<RunOutcome> call(Iterator<TaskSpec> specs) throws IOException {
        NativeThreads.set(threads);
        String device = pickGpu();
        Configuration conf = new Configuration();
        hadoopConf.forEach(conf::set);
        Path dir = new Path(out);
        List<RunOutcome> outcomes = new ArrayList<>();
        String host = InetAddress.getLocalHost().getHostName() + (device == null ? "" : "/gpu" + device);
        List<TaskSpec> todo = new ArrayList<>();
        while (specs.hasNext()) {
            TaskSpec s = specs.next();
            if (Ledger.committed(dir, conf, s.runId())) {
                outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), "ALREADY", 0, 0, null, null, host));
            } else {
                todo.add(s);
            }
        }
        if (pack && todo.size() > 1) {
            outcomes.addAll(trainPack(todo, dir, conf, host));
            return outcomes.iterator();
        }
        for (TaskSpec s : todo) {
            long t0 = System.nanoTime();
            try {
                RunConfig cfg = ConfigIo.parseJson(s.configJson());
                ParquetRunSink sink = new ParquetRunSink(dir, conf, cfg, sweepId, s.attempt());
                RunResult r = new Trainer(cfg).run(sink, timeoutSeconds);
                String status = sink.committed() ? r.status().name() : "ALREADY";
                outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), status, r.tokens(), r.wallSeconds(),
                        r.finalValLoss(), r.error(), host));
            } catch (RuntimeException e) {
                // setup errors (data unreadable on this executor, out of memory building the model): retried by the driver
                outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), "FAILED", 0, (System.nanoTime() - t0) / 1e9,
                        null, e.getClass().getSimpleName() + ": " + e.getMessage(), host));
            }
        }
        return outcomes.iterator();
    }

    /**
     * Trains the runs as one pack, each committed through its own sink as it ends. The time limit is per
     * run, so a pack of K gets K times as long. An error before training fails every member, and the
     * driver retries each one alone.
     */
    private List<RunOutcome> trainPack(List<TaskSpec> members, Path dir, Configuration conf, String host) {
        long t0 = System.nanoTime();
        List<RunOutcome> outcomes = new ArrayList<>();
        List<RunConfig> cfgs = new ArrayList<>();
        List<ParquetRunSink> sinks = new ArrayList<>();
        List<RunResult> results;
        PackTrainer pack;
        try {
            for (TaskSpec s : members) {
                RunConfig cfg = ConfigIo.parseJson(s.configJson());
                cfgs.add(cfg);
                sinks.add(new ParquetRunSink(dir, conf, cfg, sweepId, s.attempt()));
            }
            pack = new PackTrainer(cfgs);
            results = pack.run(List.copyOf(sinks), timeoutSeconds * members.size());
        } catch (RuntimeException e) {
            for (TaskSpec s : members) {
                outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), "FAILED", 0, (System.nanoTime() - t0) / 1e9,
                        null, "in a pack of " + members.size() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                        host));
            }
            return outcomes;
        }
        for (int i = 0; i < members.size(); i++) {
            TaskSpec s = members.get(i);
            RunResult r = results.get(i);
            RuntimeException lost = pack.commitError(i);
            if (lost != null) {
                outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), "FAILED", r.tokens(), r.wallSeconds(),
                        null, "its rows could not be written: " + lost.getMessage(), host));
                continue;
            }
            String status = sinks.get(i).committed() ? r.status().name() : "ALREADY";
            outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), status, r.tokens(), r.wallSeconds(),
                    r.finalValLoss(), r.error(), host));
        }
        return outcomes;
    }

    /** On GPU executors, train on the GPU Spark assigned to this task. */
    private static String pickGpu() {
        return TaskGpu.use(TaskContext.get());
    }
}
