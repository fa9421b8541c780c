package dev.proxylaw.jobs.tokenize;

import dev.proxylaw.datasets.tokenize.Unit;
import dev.proxylaw.jobs.UserError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Expands the INPUT arguments (files, directories, globs; any Hadoop filesystem) into the sorted list
 * of files to read. The order is by full path, so it never depends on the filesystem's listing order.
 * Inside directories, hidden and marker files ({@code .x}, {@code _SUCCESS}) are skipped, as Spark does.
 */
final class Inputs {
    private Inputs() {
    }

    static List<Unit.FileInput> list(List<String> args, Configuration conf) {
        List<Unit.FileInput> files = new ArrayList<>();
        for (String arg : args) {
            Path p = new Path(arg);
            try {
                FileSystem fs = p.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null || matches.length == 0) {
                    throw new UserError("Cannot read input " + arg + ": it does not exist. Check the path (any Hadoop path, "
                            + "e.g. hdfs://nn/corpus/ or s3a://bucket/corpus/*.jsonl).");
                }
                int before = files.size();
                for (FileStatus st : matches) {
                    if (st.isDirectory()) {
                        RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
                        while (it.hasNext()) {
                            LocatedFileStatus f = it.next();
                            if (!hidden(st.getPath(), f.getPath())) {
                                files.add(new Unit.FileInput(f.getPath().toString(), f.getLen()));
                            }
                        }
                    } else if (st.getLen() == 0 && matches.length == 1) {
                        throw new UserError("Cannot tokenize " + arg + ": the file is empty. Remove it from the inputs.");
                    } else {
                        files.add(new Unit.FileInput(fs.makeQualified(st.getPath()).toString(), st.getLen()));
                    }
                }
                if (files.subList(before, files.size()).stream().allMatch(f -> f.bytes() == 0)) {
                    throw new UserError("Cannot tokenize " + arg + ": it holds no data (no non-empty files). "
                            + "Point INPUT at the corpus files.");
                }
            } catch (IOException e) {
                throw new UserError("Cannot read input " + arg + ": " + e.getMessage() + ".");
            }
        }
        files.sort(Comparator.comparing(Unit.FileInput::path));
        for (int i = 1; i < files.size(); i++) {
            if (files.get(i).path().equals(files.get(i - 1).path())) {
                throw new UserError("Cannot tokenize: " + files.get(i).path() + " is named twice by the inputs. "
                        + "Name each file once, or its documents would be counted twice.");
            }
        }
        return files;
    }

    /** True for a file under {@code root} with a path component starting with '.' or '_'. */
    private static boolean hidden(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root) && p.depth() > root.depth(); p = p.getParent()) {
            String n = p.getName();
            if (n.startsWith(".") || n.startsWith("_")) {
                return true;
            }
        }
        return false;
    }
}
