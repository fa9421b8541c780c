package dev.proxylaw.jobs.spark;

import java.util.Map;
import org.apache.spark.network.util.JavaUtils;

/**
 * The memory one training task gets: on a cluster, spark.executor.memory shared by the tasks an executor
 * runs at once (spark.executor.cores / spark.task.cpus, where given); in local mode, this JVM's maximum
 * shared by its task slots. ND4J keeps tensors off-heap with a limit equal to the heap's by default, so
 * the heap figure is the budget for the tensors as well.
 */
public record TaskMemory(double bytes, String where, String raise) {
    public static TaskMemory of(String master, Map<String, String> conf) {
        int taskCpus = Integer.parseInt(conf.getOrDefault("spark.task.cpus", System.getProperty("spark.task.cpus", "1")));
        if (master == null || master.startsWith("local")) {
            int slots = localSlots(master) / Math.max(1, taskCpus);
            double heap = Runtime.getRuntime().maxMemory();
            return new TaskMemory(heap / Math.max(1, slots), "a task (this JVM's " + gb(heap) + " over " + slots + " task slots)",
                    "give the JVM more memory (PROXYLAW_JAVA_OPTS=-Xmx...)");
        }
        // --conf and --properties first, then what spark-submit passed as system properties; Spark's default is 1g
        String mem = conf.getOrDefault("spark.executor.memory", System.getProperty("spark.executor.memory", "1g"));
        double bytes = JavaUtils.byteStringAsBytes(mem);
        String cores = conf.getOrDefault("spark.executor.cores", System.getProperty("spark.executor.cores"));
        int tasks = cores != null ? Integer.parseInt(cores) / taskCpus : 1;
        return new TaskMemory(bytes / Math.max(1, tasks), "a task (spark.executor.memory=" + mem + " over " + Math.max(1, tasks)
                + " concurrent tasks)", "raise spark.executor.memory (--conf spark.executor.memory=...)");
    }

    private static int localSlots(String master) {
        if (master == null || master.equals("local") || !master.matches("local\\[(\\d+|\\*)(,\\d+)?]")) {
            return master == null || master.startsWith("local[*") ? Runtime.getRuntime().availableProcessors() : 1;
        }
        String n = master.substring(6, master.indexOf(']')).split(",")[0];
        return n.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(n);
    }

    private static String gb(double b) {
        return dev.proxylaw.trainer.config.RunChecks.bytes(b);
    }
}
