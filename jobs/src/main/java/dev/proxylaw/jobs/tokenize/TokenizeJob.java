package dev.proxylaw.jobs.tokenize;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.Tokenizer;
import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.datasets.shard.Dtype;
import dev.proxylaw.datasets.shard.Manifest;
import dev.proxylaw.datasets.tokenize.JsonlDocuments;
import dev.proxylaw.datasets.tokenize.Unit;
import dev.proxylaw.jobs.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The tokenize job. The driver lists and checks the inputs and cuts them into units ({@link Unit#plan});
 * Spark runs one {@link UnitTask} per unit; the driver then names the shards train-00000.arrow ... and
 * val-00000.arrow ... in unit order and writes manifest.json last. Every file is written under
 * OUT/_temporary first: a failed job leaves no output, and a directory with a manifest is complete.
 */
public final class TokenizeJob {
    private final TokenizeOptions options;
    private final Configuration conf;
    private final Map<String, String> hadoopEntries;
    private final List<Unit.FileInput> files;
    private final List<Unit> units;
    private final Path out;

    private TokenizeJob(TokenizeOptions options, Map<String, String> hadoopEntries, List<Unit.FileInput> files, Path out) {
        this.options = options;
        this.hadoopEntries = hadoopEntries;
        this.conf = UnitTask.conf(hadoopEntries);
        this.files = files;
        this.out = out;
        this.units = Unit.plan(files, options.shardBytes(), !options.format().equals("parquet"));
    }

    /** Checks everything that can be checked before Spark starts; writes nothing. */
    public static TokenizeJob prepare(TokenizeOptions options, Map<String, String> hadoopEntries) {
        Configuration conf = UnitTask.conf(hadoopEntries);
        List<Unit.FileInput> files = Inputs.list(options.inputs(), conf);
        Path out = new Path(options.out());
        try {
            FileSystem fs = out.getFileSystem(conf);
            if (fs.exists(out)) {
                FileStatus st = fs.getFileStatus(out);
                if (!st.isDirectory()) {
                    throw new UserError("Cannot write to --out " + out + ": it is a file. Name a new directory.");
                }
                if (fs.listStatus(out).length > 0) {
                    throw new UserError("Cannot write to --out " + out + ": it already holds files. Remove it or name a new "
                            + "directory (shards are never mixed with older ones).");
                }
            }
            Unit.FileInput first = files.get(0);
            if (options.format().equals("jsonl")) {
                checkFirstRecord(conf, first.path(), options.fieldOrDefault());
            } else if (options.format().equals("parquet")) {
                ParquetDocuments.checkField(conf, first.path(), options.fieldOrDefault());
            }
        } catch (IOException e) {
            throw new UserError("Cannot tokenize: " + e.getMessage() + ".");
        }
        return new TokenizeJob(options, hadoopEntries, files, out);
    }

    /** A wrong --field fails on the first record, before Spark starts, not deep inside a task. */
    private static void checkFirstRecord(Configuration conf, String file, String field) throws IOException {
        Path p = new Path(file);
        try (FSDataInputStream in = p.getFileSystem(conf).open(p)) {
            byte[] head = in.readNBytes(1 << 20);
            int nl = 0;
            while (nl < head.length && head[nl] != '\n') {
                nl++;
            }
            if (nl == head.length && head.length == 1 << 20) {
                return;   // a first line over 1 MiB: leave it to the task
            }
            JsonlDocuments.read(new java.io.ByteArrayInputStream(head, 0, nl), file, 0, nl, field, (t, b) -> { });
        }
    }

    public List<Unit.FileInput> files() {
        return files;
    }

    public List<Unit> units() {
        return units;
    }

    public long inputBytes() {
        return files.stream().mapToLong(Unit.FileInput::bytes).sum();
    }

    /** Runs the units on Spark, one task each, and commits; on any failure removes what it wrote. */
    public Manifest run(SparkSession spark) {
        Path tmp = new Path(new Path(out, "_temporary"), UUID.randomUUID().toString());
        FileSystem fs;
        boolean created;
        try {
            fs = UnitTask.raw(out.getFileSystem(conf));
            created = !fs.exists(out);
            if (!fs.mkdirs(tmp)) {
                throw new UserError("Cannot write to --out " + out + ": the directory cannot be created.");
            }
        } catch (IOException e) {
            throw new UserError("Cannot write to --out " + out + ": " + e.getMessage() + ". Choose a writable directory.");
        }
        boolean done = false;
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            jsc.setJobDescription("proxylaw tokenize: " + units.size() + " units into " + out);
            List<UnitResult> results = new ArrayList<>(jsc.parallelize(units, Math.max(1, units.size()))
                    .map(new UnitTask(options, tmp.toString(), hadoopEntries)).collect());
            results.sort(Comparator.comparingInt(UnitResult::unit));
            for (UnitResult r : results) {
                if (r.error() != null) {
                    throw new DataException(r.error());
                }
            }
            Manifest m = commit(fs, tmp, results);
            done = true;
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot commit shards to " + out + ": " + e.getMessage(), e);
        } finally {
            cleanUp(fs, tmp, created, done);
        }
    }

    /** Renames the shards to their final names in unit order, then writes the manifest. */
    private Manifest commit(FileSystem fs, Path tmp, List<UnitResult> results) throws IOException {
        Tokenizer tok = Tokenizers.byId(options.tokenizer());
        List<Manifest.Entry> entries = new ArrayList<>();
        Manifest.Totals train = Manifest.Totals.ZERO;
        Manifest.Totals val = Manifest.Totals.ZERO;
        int t = 0;
        for (UnitResult r : results) {
            if (r.trainFile() != null) {
                entries.add(move(fs, r.trainFile(), String.format("train-%05d.arrow", t++), "train", r.train()));
                train = train.plus(r.train());
            }
        }
        int v = 0;
        for (UnitResult r : results) {
            if (r.valFile() != null) {
                entries.add(move(fs, r.valFile(), String.format("val-%05d.arrow", v++), "val", r.val()));
                val = val.plus(r.val());
            }
        }
        List<Manifest.Input> inputs = files.stream().map(f -> new Manifest.Input(f.path(), f.bytes())).toList();
        Manifest m = new Manifest(Manifest.FORMAT, 1, tok.id(), tok.vocabSize(), tok.eot(),
                Dtype.forVocab(tok.vocabSize()).id(), options.format(), options.format().equals("text") ? null
                : options.fieldOrDefault(), options.valFraction(), inputs, train, val, entries);
        Path staged = new Path(tmp, Manifest.FILE);
        try (OutputStream o = fs.create(staged, false)) {
            o.write(m.toJson().getBytes(StandardCharsets.UTF_8));
        }
        rename(fs, staged, new Path(out, Manifest.FILE));
        return m;
    }

    private Manifest.Entry move(FileSystem fs, String from, String name, String split, Manifest.Totals totals)
            throws IOException {
        rename(fs, new Path(from), new Path(out, name));
        return new Manifest.Entry(name, split, totals.documents(), totals.tokens(), totals.bytes());
    }

    private static void rename(FileSystem fs, Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("cannot rename " + from + " to " + to);
        }
    }

    private void cleanUp(FileSystem fs, Path tmp, boolean created, boolean done) {
        try {
            if (done) {
                fs.delete(tmp.getParent(), true);
            } else if (created) {
                fs.delete(out, true);
            } else {
                // --out existed empty: remove what we put in it, keep the directory
                for (FileStatus st : fs.listStatus(out)) {
                    fs.delete(st.getPath(), true);
                }
            }
        } catch (IOException e) {
            // best effort: the job's own error (or its result) matters more than a leftover temporary file
        }
    }
}
