package dev.proxylaw.analysis.fit;

import java.util.List;
import java.util.stream.IntStream;

/**
 * What the fit needs from an engine: run {@code count} bootstrap replicates, each a pure function of the
 * points and its index, and return them in index order. {@link #IN_PROCESS} runs them in this JVM; the
 * Spark implementation (jobs/) runs them as tasks over the points broadcast once. Because replicate i
 * depends only on (points, seed, i), both give the same numbers.
 */
public interface Replicates {
    <P, R> List<R> run(String description, List<P> points, int count, Replicate<P, R> fn);

    /** One replicate: serializable so that an engine can ship it to where the points are. */
    interface Replicate<P, R> extends java.io.Serializable {
        R apply(List<P> points, int index);
    }

    /** Replicates on this JVM's cores. */
    Replicates IN_PROCESS = new Replicates() {
        @Override
        public <P, R> List<R> run(String description, List<P> points, int count, Replicate<P, R> fn) {
            return IntStream.range(0, count).parallel().mapToObj(i -> fn.apply(points, i)).toList();
        }
    };
}
