package dev.proxylaw.analysis.fit;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds /work/shared/data-style files next to the checkout without copying them into the project. */
final class SharedData {
    private SharedData() {
    }

    /** ../shared/data/NAME from the repository root, found by walking up from user.dir. */
    static Path file(String name) {
        Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("analysis")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("Cannot find the repository root above " + System.getProperty("user.dir")
                + ": no directory holds both pom.xml and analysis/. Run the tests from the checkout.");
        }
        Path f = p.resolveSibling("shared").resolve("data").resolve(name);
        if (!Files.exists(f)) {
            throw new IllegalStateException("Cannot find " + f + ": the shared data sits next to the checkout as "
                + "../shared/data/. Put steplaw_dense_runs.csv there.");
        }
        return f;
    }
}
