package dev.proxylaw.jobs.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's chromium, headless, as scripts/setup.sh installs it: a page's DOM after load, and a screenshot. */
final class Chromium {
    private Chromium() {
    }

    static String binary() {
        for (String b : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (Files.isExecutable(Path.of(b))) {
                return b;
            }
        }
        throw new IllegalStateException("Cannot find chromium: run scripts/setup.sh (it installs Debian's chromium).");
    }

    /** The DOM after the load handlers ran (the page's own figure check included). */
    static String dumpDom(Path page, Path profile) throws Exception {
        return run(profile, "--dump-dom", page.toUri().toString());
    }

    static void screenshot(Path page, Path png, int width, int height, Path profile) throws Exception {
        run(profile, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars", page.toUri().toString());
        if (!Files.isRegularFile(png)) {
            throw new IllegalStateException("chromium wrote no screenshot " + png);
        }
    }

    private static String run(Path profile, String... args) throws IOException, InterruptedException {
        // the flags a closed network needs: no background connections, no first-run or sync, a fresh profile
        List<String> cmd = new ArrayList<>(List.of(binary(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=10000", "--allow-file-access-from-files"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("chromium", ".log");
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium failed (" + String.join(" ", cmd) + "): " + Files.readString(log));
        }
        Files.deleteIfExists(log);
        return new String(out, StandardCharsets.UTF_8);
    }
}
