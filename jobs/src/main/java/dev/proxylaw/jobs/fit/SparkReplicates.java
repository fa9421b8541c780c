package dev.proxylaw.jobs.fit;

import dev.proxylaw.analysis.fit.Replicates;
import java.util.Collection;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * The fit core's replicates as Spark tasks, a few per core, over points broadcast once. Small batches (at most
 * {@link #IN_PROCESS_WORK} points x replicates, counting the runs inside grouped points: the Power, max-logit
 * and transfer replicates of a typical sweep) run on the driver instead, where a Spark job's fixed 50-100 ms
 * would cost more than the work. The numbers are the same either way: replicate i is a function of (points, i).
 */
public final class SparkReplicates implements Replicates {
    static final long IN_PROCESS_WORK = 100_000;
    private final JavaSparkContext jsc;
    private final long inProcessWork;

    public SparkReplicates(JavaSparkContext jsc) {
        this(jsc, IN_PROCESS_WORK);
    }

    /** inProcessWork: the most points x replicates run on the driver; 0 sends every batch to Spark. */
    SparkReplicates(JavaSparkContext jsc, long inProcessWork) {
        this.jsc = jsc;
        this.inProcessWork = inProcessWork;
    }

    @Override
    public <P, R> List<R> run(String description, List<P> points, int count, Replicate<P, R> fn) {
        long size = points.stream().mapToLong(p -> p instanceof Collection<?> c ? c.size() : 1).sum();
        if (size * count <= inProcessWork) {
            return Replicates.IN_PROCESS.run(description, points, count, fn);
        }
        Broadcast<List<P>> b = jsc.broadcast(points);
        jsc.setJobDescription(description + ": " + count + " replicates");
        try {
            return jsc.parallelize(IntStream.range(0, count).boxed().toList(),
                    Math.max(1, Math.min(count, jsc.defaultParallelism() * 4))).map(i -> fn.apply(b.value(), i)).collect();
        } finally {
            b.destroy();
        }
    }
}
