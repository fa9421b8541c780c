package dev.proxylaw.jobs.spark;

import dev.proxylaw.jobs.UserError;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.rpc.RpcAddress;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the SparkSession of a proxylaw job from its {@link SparkSettings}. A standalone master that
 * does not answer is a user error before any work starts, instead of Spark's minute of registration retries.
 */
public final class Spark {
    private Spark() {
    }

    public static SparkSession session(String appName, String master, Map<String, String> conf) {
        return session(appName, SparkSettings.of(master, conf));
    }

    public static SparkSession session(String appName, SparkSettings settings) {
        SparkConf sc = settings.conf().clone();
        if (settings.local()) {
            // a local session stays on loopback and opens no UI unless asked to; the hostname as
            // SPARK_LOCAL_HOSTNAME would set it, so that Spark never resolves this machine's name
            sc.setIfMissing("spark.driver.host", "127.0.0.1");
            sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            sc.setIfMissing("spark.ui.enabled", "false");
            org.apache.spark.util.Utils.setCustomHostname("127.0.0.1");
        }
        sc.setIfMissing("spark.app.name", appName);
        return SparkSession.builder().config(sc).getOrCreate();
    }

    /** Fails fast with exit code 2 when a spark:// master does not accept connections. */
    public static void checkReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI u = URI.create("spark://" + hostPort);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 7077 : u.getPort()), 5000);
                return;
            } catch (IOException e) {
                // try the next master of an HA list
            }
        }
        throw new UserError("Cannot reach the Spark master " + master + ": nothing accepts connections there. "
                + "Start the master or pass the right --master URL.");
    }

    /**
     * Fails fast with exit code 2 when a spark:// master refuses this driver: a cluster that runs with
     * spark.authenticate drops a driver without its secret, which Spark would retry for a minute and then
     * report as "All masters are unresponsive".
     */
    public static void checkAccepted(SparkConf conf) {
        String master = conf.get("spark.master");
        if (!master.startsWith("spark://")) {
            return;
        }
        SparkConf c = conf.clone().set("spark.rpc.lookupTimeout", "20s").set("spark.rpc.askTimeout", "20s");
        org.apache.spark.SecurityManager security = new org.apache.spark.SecurityManager(c, scala.Option.empty(),
                org.apache.spark.internal.config.package$.MODULE$.AUTH_SECRET_FILE());
        RpcEnv env = RpcEnv.create("proxylaw-check", c.get("spark.driver.host", "127.0.0.1"), 0, c, security, true);
        Exception refused = null;
        try {
            for (String hostPort : master.substring("spark://".length()).split(",")) {
                try {
                    env.setupEndpointRef(RpcAddress.fromSparkURL("spark://" + hostPort), "Master");
                    return;
                } catch (Exception e) {
                    refused = e;   // try the next master of an HA list
                }
            }
        } finally {
            env.shutdown();
        }
        throw new UserError("Cannot join the Spark master " + master + ": it refused this driver ("
                + rootMessage(refused) + "). " + (security.isAuthenticationEnabled()
                ? "Give the cluster's own secret (spark.authenticate.secret.file or _SPARK_AUTH_SECRET)."
                : "If the cluster runs with spark.authenticate, pass --properties conf/spark/standalone.properties "
                        + "and its secret (README, Cluster security)."));
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) {
            e = e.getCause();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().lines().findFirst().orElse("");
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }

    /** Parses repeated {@code --conf k=v} values, in order. */
    public static Map<String, String> confs(java.util.List<String> kvs) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (String kv : kvs) {
            Map.Entry<String, String> e = confEntry(kv);
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Parses one {@code --conf k=v} value. */
    public static Map.Entry<String, String> confEntry(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new UserError("Cannot parse --conf " + kv + ": expected key=value, e.g. --conf spark.executor.memory=4g.");
        }
        return Map.entry(kv.substring(0, eq), kv.substring(eq + 1));
    }
}
