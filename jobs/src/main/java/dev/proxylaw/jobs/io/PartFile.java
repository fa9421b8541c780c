package dev.proxylaw.jobs.io;

import java.io.IOException;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Checks one part file of the ledger without trusting its name: a readable footer, every column of the
 * expected schema, column chunks that lie inside the file, and the row count the commit promised.
 * A runs file (one row) is also read whole, so its run id and status are the file's, not the name's.
 */
final class PartFile {
    /** Key of the runs file's footer metadata that records how many rows its steps file holds. */
    static final String STEPS_ROWS = "proxylaw.steps_rows";

    /** What a runs file says about itself, read from its content. */
    record RunRow(String runId, String status, Long stepsRows) {
    }

    private PartFile() {
    }

    /** The runs file's one row, or why the file cannot be trusted. */
    static Result<RunRow> runs(FileStatus f, Configuration conf) {
        try {
            ParquetMetadata footer = footer(f, conf);
            Optional<String> bad = check(footer, f, Schemas.RUNS, "run_id", "status", "attempt");
            if (bad.isPresent()) {
                return Result.bad(bad.get());
            }
            long rows = rows(footer);
            if (rows != 1) {
                return Result.bad("it holds " + rows + " rows where a runs file holds exactly 1");
            }
            Group g;
            try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), f.getPath()).withConf(conf).build()) {
                g = r.read();
            }
            if (g == null) {
                return Result.bad("its row cannot be read");
            }
            String n = footer.getFileMetaData().getKeyValueMetaData().get(STEPS_ROWS);
            return Result.ok(new RunRow(g.getString("run_id", 0), g.getString("status", 0), n == null ? null : Long.parseLong(n)));
        } catch (IOException | RuntimeException e) {
            return Result.bad(why(e, f));
        }
    }

    /**
     * Checks a steps file; {@code expectedRows} is null for files written before the count was recorded,
     * {@code runId} null for a steps file whose runs file is absent.
     */
    static Optional<String> steps(FileStatus f, Configuration conf, String runId, Long expectedRows) {
        try {
            ParquetMetadata footer = footer(f, conf);
            Optional<String> bad = check(footer, f, Schemas.STEPS, "run_id", "step", "tokens");
            if (bad.isPresent()) {
                return bad;
            }
            long rows = rows(footer);
            if (expectedRows != null && rows != expectedRows) {
                return Optional.of("it holds " + rows + " rows where its runs file promised " + expectedRows);
            }
            if (rows == 0) {
                return Optional.of("it holds no rows");
            }
            return runId == null ? Optional.empty() : otherRun(footer, runId);
        } catch (IOException | RuntimeException e) {
            return Optional.of(why(e, f));
        }
    }

    /** The run_id column's min and max from the footer's statistics, where the writer kept them. */
    private static Optional<String> otherRun(ParquetMetadata footer, String runId) {
        for (BlockMetaData b : footer.getBlocks()) {
            for (ColumnChunkMetaData c : b.getColumns()) {
                Statistics<?> s = c.getStatistics();
                if (c.getPath().toDotString().equals("run_id") && s != null && s.hasNonNullValue()) {
                    String min = ((Binary) s.genericGetMin()).toStringUsingUTF8();
                    String max = ((Binary) s.genericGetMax()).toStringUsingUTF8();
                    if (!min.equals(runId) || !max.equals(runId)) {
                        return Optional.of("it holds run " + (min.equals(runId) ? max : min) + ", not " + runId);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static ParquetMetadata footer(FileStatus f, Configuration conf) throws IOException {
        if (f.getLen() < 12) {   // "PAR1" + footer length + "PAR1" at the very least
            throw new IOException("only " + f.getLen() + " bytes, too short for Parquet");
        }
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromStatus(f, conf))) {
            return r.getFooter();
        }
    }

    /**
     * The key columns must be there; every other column the file shares with the schema must have the
     * schema's type. Columns added or dropped since a file was written are not damage: a dataset written
     * by an earlier version stays readable.
     */
    private static Optional<String> check(ParquetMetadata footer, FileStatus f, MessageType expected, String... keys) {
        MessageType schema = footer.getFileMetaData().getSchema();
        for (String k : keys) {
            if (!schema.containsField(k)) {
                return Optional.of("column " + k + " is missing (not a " + expected.getName() + " file)");
            }
        }
        for (ColumnDescriptor c : expected.getColumns()) {
            if (schema.containsPath(c.getPath()) && !schema.getColumnDescription(c.getPath()).equals(c)) {
                return Optional.of("column " + String.join(".", c.getPath()) + " has another type than the "
                        + expected.getName() + " schema's");
            }
        }
        for (BlockMetaData b : footer.getBlocks()) {
            for (ColumnChunkMetaData c : b.getColumns()) {
                if (c.getStartingPos() < 4 || c.getStartingPos() + c.getTotalSize() > f.getLen()) {
                    return Optional.of("column chunk " + c.getPath() + " lies outside the file's " + f.getLen() + " bytes");
                }
            }
        }
        return Optional.empty();
    }

    private static long rows(ParquetMetadata footer) {
        return footer.getBlocks().stream().mapToLong(BlockMetaData::getRowCount).sum();
    }

    /** Parquet's first line, without the file's path (the caller names the file). */
    private static String why(Throwable e, FileStatus f) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        m = m.replace(f.getPath().toString() + " is", "it is").replace(f.getPath().toString(), "the file").strip();
        return m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** A checked value or the reason the file is damaged. */
    record Result<T>(T value, String damage) {
        static <T> Result<T> ok(T v) {
            return new Result<>(v, null);
        }

        static <T> Result<T> bad(String why) {
            return new Result<>(null, why);
        }
    }
}
