package dev.proxylaw.jobs;

import dev.proxylaw.jobs.spark.Spark;
import dev.proxylaw.jobs.spark.SparkSettings;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The options every Spark command takes: {@code --master URL}, {@code --properties FILE}, {@code --conf k=v}. */
final class SparkOptions {
    static final Set<String> FLAGS = Set.of("master", "properties", "conf");
    static final String USAGE = "[--master URL] [--properties conf/spark/X.properties] [--conf k=v]...";

    private SparkOptions() {
    }

    /** The command's own flags and Spark's. */
    static Set<String> with(String... flags) {
        return Stream.concat(Stream.of(flags), FLAGS.stream()).collect(Collectors.toUnmodifiableSet());
    }

    /** Resolved and checked before the command writes anything. */
    static SparkSettings settings(Args a, String[] argv) {
        return SparkSettings.resolve(a.get("properties", null), a.get("master", null), Spark.confs(a.all("conf")),
                List.of(argv));
    }
}
