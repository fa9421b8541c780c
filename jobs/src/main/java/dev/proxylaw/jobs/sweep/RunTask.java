package dev.proxylaw.jobs.sweep;

import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.jobs.io.ParquetRunSink;
import dev.proxylaw.trainer.NativeThreads;
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
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;

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

    public RunTask(String out, String sweepId, Map<String, String> hadoopConf, int threads, double timeoutSeconds) {
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
        while (specs.hasNext()) {
            TaskSpec s = specs.next();
            if (Ledger.committed(dir, conf, s.runId())) {
                outcomes.add(new RunOutcome(s.runId(), s.label(), s.attempt(), "ALREADY", 0, 0, null, null, host));
                continue;
            }
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

    /** On GPU executors, train on the GPU Spark assigned to this task. */
    private static String pickGpu() {
        TaskContext tc = TaskContext.get();
        if (tc == null) {
            return null;
        }
        scala.Option<ResourceInformation> gpu = tc.resources().get("gpu");
        if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
            return null;
        }
        String address = gpu.get().addresses()[0];
        if (!NativeThreads.cpuBackend()) {
            Nd4j.getAffinityManager().unsafeSetDevice(Integer.parseInt(address));
        }
        return address;
    }
}
