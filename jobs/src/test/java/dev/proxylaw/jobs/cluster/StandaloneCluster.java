package dev.proxylaw.jobs.cluster;

import java.io.IOException;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Spark standalone cluster on loopback: one master and N workers, each its own JVM, started
 * from the project's own Spark dependencies (a SPARK_HOME whose jars/ links to them). Applications are
 * submitted with {@code org.apache.spark.deploy.SparkSubmit}, as spark-submit does.
 */
public final class StandaloneCluster implements AutoCloseable {
    public static final List<String> OPENS = List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net",
            "java.nio", "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "sun.nio.ch", "sun.nio.cs",
            "sun.security.action", "sun.util.calendar");

    private final Path work;
    private final Path sparkHome;
    private final int port;
    private final int uiPort;
    private final Process master;
    private final Path secretFile;
    private final List<Process> workers = new ArrayList<>();

    private StandaloneCluster(Path work, Path sparkHome, int port, int uiPort, Process master, Path secretFile) {
        this.secretFile = secretFile;
        this.work = work;
        this.sparkHome = sparkHome;
        this.port = port;
        this.uiPort = uiPort;
        this.master = master;
    }

    /**
     * Starts a master and {@code workers} workers of {@code cores} cores each; returns once all have
     * registered. The cluster runs as conf/spark/standalone.properties asks: spark.authenticate with a
     * secret generated here ({@link #secretFile()}) and encrypted RPC.
     */
    public static StandaloneCluster start(Path work, Path sparkClasspath, int workers, int cores) throws Exception {
        return start(work, sparkClasspath, workers, cores, Map.of(), Map.of());
    }

    /**
     * As above, the workers also reading {@code workerConf} (their GPU resources) and running with
     * {@code workerEnv} added to their environment (and so their executors').
     */
    public static StandaloneCluster start(Path work, Path sparkClasspath, int workers, int cores,
                                          Map<String, String> workerConf, Map<String, String> workerEnv) throws Exception {
        Path home = work.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        for (String jar : Files.readString(sparkClasspath).strip().split(":")) {
            Path link = home.resolve("jars").resolve(Path.of(jar).getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, Path.of(jar));
            }
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String hex = HexFormat.of().formatHex(secret);
        Path secretFile = Files.writeString(work.resolve("secret"), hex + "\n");
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        // what each node's spark-defaults.conf holds on an authenticated cluster
        Map<String, String> daemonConf = Map.of("spark.authenticate", "true", "spark.authenticate.secret", hex,
                "spark.network.crypto.enabled", "true");
        Path masterConf = properties(work.resolve("master.conf"), daemonConf);
        Map<String, String> wc = new LinkedHashMap<>(daemonConf);   // workers hand the secret to their executors
        wc.putAll(workerConf);
        Path workerProps = properties(work.resolve("worker.conf"), wc);
        int port = freePort();
        int ui = freePort();
        Process m = java(work, home, "master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--webui-port", String.valueOf(ui), "--properties-file", masterConf.toString()),
                Map.of());
        StandaloneCluster c = new StandaloneCluster(work, home, port, ui, m, secretFile);
        for (int i = 0; i < workers; i++) {
            c.workers.add(java(work, home, "worker-" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host",
                    "127.0.0.1", "--webui-port", String.valueOf(freePort()), "--cores", String.valueOf(cores), "--memory",
                    "2g", "--work-dir", work.resolve("worker-" + i).toString(), "--properties-file", workerProps.toString(),
                    c.url()), workerEnv));
        }
        c.awaitWorkers(workers, Duration.ofSeconds(90));
        return c;
    }

    public String url() {
        return "spark://127.0.0.1:" + port;
    }

    /**
     * Submits the shaded jar in client mode and returns the driver process; its output goes to
     * {@code log}. Runs {@code dev.proxylaw.jobs.Cli} with {@code args}.
     */
    public Process submit(Path shadedJar, Path log, List<String> args) throws IOException {
        return submit(shadedJar, log, List.of(), args);
    }

    /** The cluster's secret, in a file only its owner reads. */
    public Path secretFile() {
        return secretFile;
    }

    /** As above, with more spark-submit options ({@code --conf k=v} ...) before the jar. */
    public Process submit(Path shadedJar, Path log, List<String> sparkArgs, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--conf", "spark.authenticate=true", "--conf",
                "spark.network.crypto.enabled=true", "--conf", "spark.authenticate.secret.file=" + secretFile));
        all.addAll(sparkArgs);
        return submitWithout(shadedJar, log, all, args);
    }

    /** Submits with no secret but what {@code sparkArgs} gives, as a stranger to the cluster would. */
    public Process submitWithout(Path shadedJar, Path log, List<String> sparkArgs, List<String> args) throws IOException {
        List<String> cmd = javaCommand(sparkHome, shadedJar + ":" + sparkHome.resolve("jars") + "/*");
        cmd.addAll(List.of("org.apache.spark.deploy.SparkSubmit", "--master", url(), "--deploy-mode", "client",
                "--class", "dev.proxylaw.jobs.Cli", "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.executor.memory=1g", "--conf", "spark.ui.enabled=false",
                // as conf/spark/ sets it: the trainer's fused kernels on the vector API
                "--conf", "spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector"));
        cmd.addAll(sparkArgs);
        cmd.add(shadedJar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** Kills worker {@code i} and the executors it started, as a lost machine would. */
    public void killWorker(int i) {
        kill(workers.get(i));
    }

    /** The executor JVMs the workers have started (each worker launches its executors as child processes). */
    public List<ProcessHandle> executors() {
        return workers.stream().flatMap(Process::descendants).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains("CoarseGrainedExecutorBackend")).orElse(false))
                .toList();
    }

    public static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int aliveWorkers() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/json/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)").matcher(r.body());
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private void awaitWorkers(int n, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            try {
                if (aliveWorkers() >= n) {
                    return;
                }
            } catch (IOException e) {
                // the master's UI is not up yet
            }
            if (!master.isAlive()) {
                throw new IllegalStateException("Spark master died; see " + work.resolve("master.log"));
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Spark workers did not register in " + timeout + "; see " + work);
    }

    private static Path properties(Path file, Map<String, String> conf) throws IOException {
        StringBuilder b = new StringBuilder();
        conf.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
        return Files.writeString(file, b.toString());
    }

    private static Process java(Path work, Path home, String name, List<String> args, Map<String, String> env)
            throws IOException {
        List<String> cmd = javaCommand(home, home.resolve("jars") + "/*");
        cmd.add(1, "-Xmx384m");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // what a distribution's bin/load-spark-env.sh exports; the worker's executor command builder needs it
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().putAll(env);
        return pb.start();
    }

    private static List<String> javaCommand(Path home, String classpath) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        OPENS.forEach(p -> cmd.add("--add-opens=java.base/" + p + "=ALL-UNNAMED"));
        cmd.add("-cp");
        cmd.add(classpath);
        return cmd;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        workers.forEach(StandaloneCluster::kill);
        kill(master);
    }

}
