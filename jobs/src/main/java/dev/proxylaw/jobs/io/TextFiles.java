package dev.proxylaw.jobs.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Small text files (sweep specs, run configs, Spark properties) read through the Hadoop filesystem, so
 * that a driver started inside a cluster (spark-submit's cluster deploy mode) reads them from hdfs:// or
 * s3a:// as well as from its local disk.
 */
public final class TextFiles {
    private TextFiles() {
    }

    /** The file's text; {@link java.io.FileNotFoundException} when it does not exist. */
    public static String read(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** {@code relative} resolved against the directory of {@code file} (an absolute or scheme path stays as it is). */
    public static String sibling(String file, String relative) {
        Path r = new Path(relative);
        if (r.isAbsolute() || r.toUri().getScheme() != null) {
            return relative;
        }
        Path parent = new Path(file).getParent();
        return parent == null ? relative : new Path(parent, r).toString();
    }
}
