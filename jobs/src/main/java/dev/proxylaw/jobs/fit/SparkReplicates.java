package dev.proxylaw.jobs.fit;

import dev.proxylaw.analysis.fit.Replicates;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/** The fit core's replicates as Spark tasks, a few per core, over points broadcast once. */
public final class SparkReplicates implements Replicates {
    private final JavaSparkContext jsc;

    public SparkReplicates(JavaSparkContext jsc) {
        this.jsc = jsc;
    }

    @Override
    public <P, R> List<R> run(String description, List<P> points, int count, Replicate<P, R> fn) {
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
