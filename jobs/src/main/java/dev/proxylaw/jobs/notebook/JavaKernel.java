package dev.proxylaw.jobs.notebook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.proxylaw.jobs.UserError;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rapaio.jupyter.kernel.channels.LoopThread;

/**
 * The Jupyter kernelspec of the Java kernel (rapaio-jupyter-kernel, a JShell kernel from Maven Central) that runs
 * notebooks/, written under jobs/target/jupyter where the build copies the kernel jar: Jupyter finds it through
 * JUPYTER_PATH, so nothing lands in the user's own Jupyter directories.
 *
 * <p>The notebooks get this JVM's classpath (our classes, ND4J, Spark, JFreeChart, Jackson) and its {@code --add-opens}
 * and {@code -Xmx} flags, which the launcher and the Maven test plugins set for Spark on Java 17.
 */
public final class JavaKernel {
    public static final String NAME = "proxylaw-java";

    private JavaKernel() {
    }

    /** jobs/target/jupyter: beside target/classes (the launcher) or the module jar (Maven's integration tests). */
    static Path home() {
        try {
            Path code = Path.of(JavaKernel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("jupyter");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the kernelspec for this JVM's classpath and returns the directory to put on JUPYTER_PATH. */
    public static Path install() throws IOException {
        Path home = home();
        Path jar = home.resolve("rapaio-jupyter-kernel.jar");
        if (!Files.isRegularFile(jar)) {
            throw new UserError("Cannot run the notebooks: the Java kernel " + jar + " is missing. Build with ./proxylaw "
                    + "(or mvn package), which copies it from Maven Central.");
        }
        // the kernel reads logging.properties from its own classpath: this one, ahead of the jar's, keeps its log
        // at warnings. The jar's own (FINEST on every logger) also turns on Janino's tracing, which breaks Spark's codegen.
        Path conf = Files.createDirectories(home.resolve("kernel-conf"));
        write(conf.resolve("logging.properties"), "handlers = java.util.logging.ConsoleHandler\n.level = WARNING\n"
                .getBytes(StandardCharsets.UTF_8));
        // and the channel loop without the kernel's start-up race (see LoopThread), ahead of the jar's own
        String loop = LoopThread.class.getName().replace('.', '/') + ".class";
        try (InputStream in = JavaKernel.class.getClassLoader().getResourceAsStream(loop)) {
            if (in == null) {
                throw new IllegalStateException(loop + " is not on proxylaw's classpath");
            }
            Files.createDirectories(conf.resolve(loop).getParent());
            write(conf.resolve(loop), in.readAllBytes());
        }

        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens=") || arg.startsWith("-Xmx")) {
                argv.add(arg);
            }
        }
        argv.add("-Djava.awt.headless=true");   // figures are drawn off-screen; there is no display
        argv.addAll(List.of("-cp", conf + File.pathSeparator + jar, "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"));

        Map<String, String> env = new LinkedHashMap<>();
        // the kernel adds each entry to JShell's classpath (';'-separated): the notebooks compile and run against it
        env.put("RJK_CLASSPATH", String.join(";", Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.isEmpty() && Files.exists(Path.of(p))).toList()));
        env.put("RJK_TIMEOUT_MILLIS", "-1");
        env.put("RJK_COMPILER_OPTIONS", "");
        env.put("RJK_INIT_SCRIPT", "");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");   // the notebooks run Spark in local mode, on loopback

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", "Java (proxylaw)");
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("env", env);
        Path dir = Files.createDirectories(home.resolve("kernels").resolve(NAME));
        write(dir.resolve("kernel.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(spec));
        return home;
    }

    /** Write then rename: a second `proxylaw notebooks` at the same time never reads half a file. */
    private static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
