package dev.proxylaw.jobs.spark;

import dev.proxylaw.jobs.UserError;
import dev.proxylaw.jobs.io.TextFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;

/**
 * The Spark configuration of a command: spark-submit's (the JVM's spark.* properties), then
 * {@code --properties FILE}, then {@code --master}, then {@code --conf k=v}. Everything that can be wrong
 * with it is found here, before a command writes anything.
 */
public final class SparkSettings {
    /** The jar that spark-submit runs; {@code mvn package} builds it. */
    static final String SHADED_JAR = "jobs/target/proxylaw-jobs-0.1.0-SNAPSHOT-spark.jar";

    private final SparkConf conf;

    private SparkSettings(SparkConf conf) {
        this.conf = conf;
    }

    public SparkConf conf() {
        return conf;
    }

    public String master() {
        return conf.get("spark.master");
    }

    public boolean local() {
        return master().startsWith("local");
    }

    /**
     * Resolves and checks the settings. {@code argv} is the whole command line, for the spark-submit
     * command that a cluster deploy mode needs.
     */
    public static SparkSettings resolve(String properties, String master, Map<String, String> confs, List<String> argv) {
        Map<String, String> given = new LinkedHashMap<>(properties == null ? Map.of() : load(properties));
        if (master != null) {
            given.put("spark.master", master);
        }
        given.putAll(confs);
        boolean submitted = System.getProperty("spark.master") != null;   // spark-submit's
        String m = given.getOrDefault("spark.master", System.getProperty("spark.master", "local[*]"));
        if (!submitted) {
            checkLaunchable(m, given.getOrDefault("spark.submit.deployMode", "client"), argv);
        }
        if (m.startsWith("local")) {
            // what SPARK_LOCAL_HOSTNAME=127.0.0.1 does, set before Spark's configuration first asks for the
            // hostname: a local driver neither resolves this machine's name nor warns that it is loopback
            org.apache.spark.util.Utils.setCustomHostname("127.0.0.1");
        }
        SparkConf sc = new SparkConf();   // spark-submit's spark.* system properties
        given.forEach(sc::set);
        sc.setIfMissing("spark.master", m);
        SparkSettings s = new SparkSettings(sc);
        s.resolveSecret();
        Spark.checkReachable(s.master());
        Spark.checkAccepted(sc);
        s.checkEventLog();
        return s;
    }

    /** Settings from code (benchmarks, tests): a master and --conf values, nothing else. */
    public static SparkSettings of(String master, Map<String, String> confs) {
        return resolve(null, master, confs, List.of());
    }

    private static Map<String, String> load(String file) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(TextFiles.read(file, new Configuration())));
        } catch (FileNotFoundException e) {
            throw new UserError("Cannot read --properties " + file + ": the file does not exist. Check the path "
                    + "(conf/spark/ holds examples).");
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("Cannot read --properties " + file + ": " + e.getMessage() + ". Fix the file.");
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).strip()));
        return out;
    }

    /** Refuses what only spark-submit can start, naming the spark-submit command that does. */
    private static void checkLaunchable(String m, String deployMode, List<String> argv) {
        if ("cluster".equals(deployMode)) {
            throw new UserError("Cannot start a cluster-mode driver from ./proxylaw: only spark-submit starts the driver "
                    + "inside the cluster. Build the jar (mvn package), give SWEEP.yaml and --out as paths the cluster "
                    + "reads (hdfs://, s3a://) and run: " + submitCommand(argv));
        }
        String manager = m.equals("yarn") ? "org.apache.spark.deploy.yarn.YarnClusterManager"
                : m.startsWith("k8s://") ? "org.apache.spark.scheduler.cluster.k8s.KubernetesClusterManager" : null;
        if (manager != null && !onClasspath(manager)) {
            throw new UserError("Cannot start Spark on master " + m + " from ./proxylaw: it carries Spark without "
                    + (m.equals("yarn") ? "YARN" : "Kubernetes") + " support. Build the jar (mvn package) and run the "
                    + "cluster's own spark-submit: " + submitCommand(argv));
        }
    }

    private static boolean onClasspath(String cls) {
        try {
            Class.forName(cls, false, SparkSettings.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The spark-submit command equivalent to {@code argv}: Spark's options up front, the command's after the jar. */
    static String submitCommand(List<String> argv) {
        List<String> spark = new ArrayList<>(List.of("spark-submit"));
        List<String> ours = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            String name = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : "";
            if (name.equals("properties") || name.equals("master") || name.equals("conf")) {
                String value = a.contains("=") && a.indexOf('=') > a.indexOf(name) ? a.substring(a.indexOf('=') + 1)
                        : i + 1 < argv.size() ? argv.get(++i) : "";
                spark.add(name.equals("properties") ? "--properties-file" : "--" + name);
                spark.add(value);
            } else {
                ours.add(a);
            }
        }
        spark.addAll(List.of("--class", "dev.proxylaw.jobs.Cli", SHADED_JAR));
        spark.addAll(ours);
        return String.join(" ", spark.stream().map(SparkSettings::quote).toList());
    }

    private static String quote(String s) {
        return s.matches("[A-Za-z0-9_./:=,@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * With spark.authenticate the driver needs the cluster's secret: from spark.authenticate.secret,
     * Spark's own _SPARK_AUTH_SECRET variable, or a file named by spark.authenticate.secret.file, which
     * Spark itself reads only on Kubernetes; elsewhere it is read here.
     */
    private void resolveSecret() {
        if (!conf.getBoolean("spark.authenticate", false) || conf.contains("spark.authenticate.secret")
                || System.getenv("_SPARK_AUTH_SECRET") != null || master().startsWith("k8s://")) {
            return;
        }
        String file = conf.get("spark.authenticate.secret.file", null);
        if (file == null) {
            throw new UserError("Cannot join a Spark cluster with spark.authenticate=true: no secret is given. Put the "
                    + "cluster's secret in a file only you can read and pass --conf spark.authenticate.secret.file=FILE, "
                    + "or export _SPARK_AUTH_SECRET.");
        }
        String secret;
        try {
            secret = Files.readString(java.nio.file.Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            throw new UserError("Cannot read the Spark secret file " + file + ": it does not exist. Check "
                    + "spark.authenticate.secret.file.");
        } catch (IOException e) {
            throw new UserError("Cannot read the Spark secret file " + file + ": " + e.getMessage() + ". Check its permissions.");
        }
        if (secret.isEmpty()) {
            throw new UserError("Cannot use the Spark secret file " + file + ": it is empty. Write the cluster's secret into it.");
        }
        conf.remove("spark.authenticate.secret.file");
        conf.set("spark.authenticate.secret", secret);
    }

    /** Spark fails late, with a stack trace, on an event log directory that does not exist. */
    private void checkEventLog() {
        if (!conf.getBoolean("spark.eventLog.enabled", false)) {
            return;
        }
        String dir = conf.get("spark.eventLog.dir", "/tmp/spark-events");
        try {
            Path p = new Path(dir);
            FileSystem fs = p.getFileSystem(hadoopConf());
            if (fs.exists(p) && fs.getFileStatus(p).isDirectory()) {
                return;
            }
            if (fs.getUri().getScheme().equals("file")) {
                fs.mkdirs(p);   // a local log directory is ours to make; a shared one belongs to the history server
                return;
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("Cannot check Spark's event log directory " + dir + ": " + e.getMessage()
                    + ". Fix spark.eventLog.dir or set spark.eventLog.enabled=false.");
        }
        throw new UserError("Cannot write Spark's event log to " + dir + ": the directory does not exist. Create it "
                + "(hdfs dfs -mkdir -p " + dir + ") or set spark.eventLog.dir to the history server's directory.");
    }

    /** The Hadoop settings given to Spark as spark.hadoop.*, without the prefix. */
    public Map<String, String> hadoopOverrides() {
        Map<String, String> out = new LinkedHashMap<>();
        for (scala.Tuple2<String, String> kv : conf.getAllWithPrefix("spark.hadoop.")) {
            out.put(kv._1(), kv._2());
        }
        return out;
    }

    /** A Hadoop configuration with those settings, for reading before Spark starts. */
    public Configuration hadoopConf() {
        Configuration h = new Configuration();
        hadoopOverrides().forEach(h::set);
        return h;
    }
}
