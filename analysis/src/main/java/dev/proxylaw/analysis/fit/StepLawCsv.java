package dev.proxylaw.analysis.fit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the published Step Law runs table (columns h, ffnh, numh, numl, lr, bs, ti, loss, smooth loss,
 * exp_name, D, N, D/N). bs counts sequences of 2048 tokens; the fit wants tokens. The loss is the
 * `smooth loss` column, as the paper's procedure; a non-finite one marks the run DIVERGED.
 */
public final class StepLawCsv {
    /** The Step Law runs' sequence length: bs * 2048 = batch tokens. */
    public static final int SEQ_LEN = 2048;

    private StepLawCsv() {
    }

    public static List<RunPoint> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        if (lines.isEmpty()) {
            throw new IOException("Cannot read Step Law runs from " + csv + ": the file is empty.");
        }
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int lr = column(header, "lr", csv);
        int bs = column(header, "bs", csv);
        int smooth = column(header, "smooth loss", csv);
        int d = column(header, "D", csv);
        int n = column(header, "N", csv);
        List<RunPoint> out = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            // no quoted fields in this file (exp_name has no commas); a quoted one would shift columns, so refuse it
            String[] f = lines.get(i).split(",", -1);
            if (f.length != header.size()) {
                throw new IOException("Cannot read " + csv + " line " + (i + 1) + ": " + f.length + " fields for "
                    + header.size() + " columns. The reader takes plain unquoted CSV only.");
            }
            double nv = Double.parseDouble(f[n]);
            double dv = Double.parseDouble(f[d]);
            double loss = f[smooth].isBlank() ? Double.NaN : Double.parseDouble(f[smooth]);
            String cell = "N=" + f[n] + ",D=" + f[d];
            RunStatus status = Double.isFinite(loss) ? RunStatus.COMPLETED : RunStatus.DIVERGED;
            out.add(new RunPoint(cell, nv, dv, Double.parseDouble(f[lr]), Double.parseDouble(f[bs]) * SEQ_LEN, loss,
                status));
        }
        return out;
    }

    private static int column(List<String> header, String name, Path csv) throws IOException {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IOException("Cannot read Step Law runs from " + csv + ": no column '" + name + "' in header "
                + header + ". Use the published steplaw_dense_runs.csv layout.");
        }
        return i;
    }
}
