package dev.proxylaw.jobs.tokenize;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.datasets.shard.ShardWriter;
import dev.proxylaw.datasets.tokenize.JsonlDocuments;
import dev.proxylaw.datasets.tokenize.TextDocuments;
import dev.proxylaw.datasets.tokenize.Unit;
import dev.proxylaw.datasets.tokenize.UnitTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.Function;

/**
 * One Spark task: reads a unit's byte ranges, tokenizes its documents in input order and writes its
 * train and val shard under the job's temporary directory, named per attempt so that a retried or
 * speculative attempt never collides with another. Plain Java inside: {@link #call} runs without Spark too.
 */
final class UnitTask implements Function<Unit, UnitResult> {
    private final TokenizeOptions options;
    private final String tmpDir;
    private final Map<String, String> hadoopConf;

    UnitTask(TokenizeOptions options, String tmpDir, Map<String, String> hadoopConf) {
        this.options = options;
        this.tmpDir = tmpDir;
        this.hadoopConf = Map.copyOf(hadoopConf);
    }

    /** Built once per JVM and settings: a new Configuration parses Hadoop's XML defaults again (tens of ms). */
    private static final Map<Map<String, String>, Configuration> CONFS = new java.util.concurrent.ConcurrentHashMap<>();

    static Configuration conf(Map<String, String> entries) {
        return CONFS.computeIfAbsent(Map.copyOf(entries), e -> {
            Configuration c = new Configuration();
            e.forEach(c::set);
            return c;
        });
    }

    /** The local filesystem without its checksums: no .crc side files next to the shards. Not closed: it is cached. */
    static FileSystem raw(FileSystem fs) {
        return fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    @Override
    public UnitResult call(Unit unit) throws IOException {
        Configuration conf = conf(hadoopConf);
        UnitTokenizer tok = new UnitTokenizer(Tokenizers.byId(options.tokenizer()), options.valFraction());
        try {
            for (Unit.Segment s : unit.segments()) {
                read(conf, s, tok);
            }
        } catch (DataException e) {
            return UnitResult.failed(unit.index(), e.getMessage());
        } catch (IllegalStateException e) {
            return UnitResult.failed(unit.index(), e.getMessage() + " Lower --shard-mb.");
        }
        String attempt = UUID.randomUUID().toString().substring(0, 8);
        String train = write(conf, tok.train(), String.format("unit-%05d-%s-train.arrow", unit.index(), attempt));
        String val = write(conf, tok.val(), String.format("unit-%05d-%s-val.arrow", unit.index(), attempt));
        return new UnitResult(unit.index(), train, tok.trainTotals(), val, tok.valTotals(), null);
    }

    private void read(Configuration conf, Unit.Segment s, UnitTokenizer sink) throws IOException {
        if (options.format().equals("parquet")) {
            ParquetDocuments.read(conf, s.path(), options.fieldOrDefault(), sink);
            return;
        }
        Path p = new Path(s.path());
        try (FSDataInputStream raw = p.getFileSystem(conf).open(p, 1 << 20)) {
            raw.seek(Math.max(0, s.start() - 1));
            InputStream in = raw;
            if (options.format().equals("text")) {
                TextDocuments.read(in, s.path(), s.start(), s.end(), sink);
            } else {
                JsonlDocuments.read(in, s.path(), s.start(), s.end(), options.fieldOrDefault(), sink);
            }
        }
    }

    /** Writes one shard; a split without documents writes nothing. */
    private String write(Configuration conf, ShardWriter shard, String name) throws IOException {
        if (shard.documents() == 0) {
            return null;
        }
        Path file = new Path(tmpDir, name);
        try (WritableByteChannel ch = Channels.newChannel(raw(file.getFileSystem(conf)).create(file, false))) {
            shard.writeTo(ch);
        }
        return file.toString();
    }
}
