package dev.proxylaw.jobs.cluster;

import java.io.IOException;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private final List<Process> workers = new ArrayList<>();

    private StandaloneCluster(Path work, Path sparkHome, int port, int uiPort, Process master) {
        this.work = work;
        this.sparkHome = sparkHome;
        this.port = port;
        this.uiPort = uiPort;
        this.master = master;
    }

    /** Starts a master and {@code workers} workers of {@code cores} cores each; returns once all have registered. */
    public static StandaloneCluster start(Path work, Path sparkClasspath, int workers, int cores) throws Exception {
        Path home = work.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        for (String jar : Files.readString(sparkClasspath).strip().split(":")) {
            Path link = home.resolve("jars").resolve(Path.of(jar).getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, Path.of(jar));
            }
        }
        int port = freePort();
        int ui = freePort();
        Process m = java(work, home, "master", List.of("org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--webui-port", String.valueOf(ui)));
        StandaloneCluster c = new StandaloneCluster(work, home, port, ui, m);
        for (int i = 0; i < workers; i++) {
            c.workers.add(java(work, home, "worker-" + i, List.of("org.apache.spark.deploy.worker.Worker", "--host",
                    "127.0.0.1", "--webui-port", String.valueOf(freePort()), "--cores", String.valueOf(cores), "--memory",
                    "2g", "--work-dir", work.resolve("worker-" + i).toString(), c.url())));
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
        List<String> cmd = javaCommand(sparkHome, shadedJar + ":" + sparkHome.resolve("jars") + "/*");
        cmd.addAll(List.of("org.apache.spark.deploy.SparkSubmit", "--master", url(), "--deploy-mode", "client",
                "--class", "dev.proxylaw.jobs.Cli", "--conf", "spark.driver.host=127.0.0.1",
                "--conf", "spark.executor.memory=1g", "--conf", "spark.ui.enabled=false", shadedJar.toString()));
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

    private static Process java(Path work, Path home, String name, List<String> args) throws IOException {
        List<String> cmd = javaCommand(home, home.resolve("jars") + "/*");
        cmd.add(1, "-Xmx384m");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // what a distribution's bin/load-spark-env.sh exports; the worker's executor command builder needs it
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
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
