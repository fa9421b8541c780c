package dev.proxylaw.jobs.io;

import java.io.IOException;
import java.io.InputStream;
import dev.proxylaw.trainer.config.ConfigIo;
import java.nio.charset.CharacterCodingException;
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

    /**
     * The file's text; {@link java.io.FileNotFoundException} when it does not exist, an IOException saying so
     * when it is not UTF-8 text (a binary file read as text would otherwise fail later with a stranger error).
     */
    public static String read(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return ConfigIo.decodeText(in.readAllBytes());
        } catch (CharacterCodingException e) {
            throw new IOException("it is not UTF-8 text (a binary file?); give a text file", e);
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
