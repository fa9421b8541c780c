package dev.proxylaw.jobs.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/** The few columns of {@code runs/} that the console summaries need, read without Spark. */
public final class RunsTable {
    public record Row(String runId, String sweepId, String status, int attempt, long tokens, double wallSeconds,
                      Double finalValLoss, Double smoothedLoss, double lr, int dModel, int nLayers, String paramType,
                      String error) {
    }

    private RunsTable() {
    }

    public static List<Row> read(Path out, Configuration conf) {
        List<Row> rows = new ArrayList<>();
        try {
            FileSystem fs = out.getFileSystem(conf);
            FileStatus[] files;
            try {
                files = fs.listStatus(new Path(out, "runs"), p -> p.getName().endsWith(".parquet"));
            } catch (FileNotFoundException e) {
                return rows;
            }
            for (FileStatus f : files) {
                try (ParquetReader<Group> r = ParquetReader.builder(new GroupReadSupport(), f.getPath()).withConf(conf).build()) {
                    for (Group g = r.read(); g != null; g = r.read()) {
                        rows.add(new Row(g.getString("run_id", 0), str(g, "sweep_id"), g.getString("status", 0),
                                g.getInteger("attempt", 0), g.getLong("tokens", 0), dbl(g, "wall_s"),
                                opt(g, "final_val_loss"), opt(g, "smoothed_loss"), g.getDouble("lr", 0),
                                g.getInteger("d_model", 0), g.getInteger("n_layers", 0), g.getString("param_type", 0),
                                str(g, "error")));
                    }
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + out + "/runs: " + e.getMessage(), e);
        }
    }

    private static String str(Group g, String f) {
        return g.getFieldRepetitionCount(f) == 0 ? null : g.getString(f, 0);
    }

    private static Double opt(Group g, String f) {
        return g.getFieldRepetitionCount(f) == 0 ? null : g.getDouble(f, 0);
    }

    private static double dbl(Group g, String f) {
        return g.getFieldRepetitionCount(f) == 0 ? Double.NaN : g.getDouble(f, 0);
    }
}
