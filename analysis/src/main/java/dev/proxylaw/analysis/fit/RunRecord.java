package dev.proxylaw.analysis.fit;

import java.util.Objects;

/**
 * One run as the fit reads it, from a sweep or from a table written elsewhere: its family (everything that
 * is neither N, D, LR nor batch), N, D, the hyperparameters, the loss it is ranked on (the smoothed final
 * cross-entropy) and its status. NaN marks a value the source does not carry: lr and batch for a table of
 * one loss per (N, D), seqLen, initLoss, width, depth and block0Logit for most tables.
 */
public record RunRecord(String family, double n, double d, double lr, double batchTokens, double seqLen, double loss,
                        RunStatus status, double initLoss, double width, double depth, double block0Logit)
        implements java.io.Serializable {
    public RunRecord {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(status, "status");
    }

    /** A row of a table with only the canonical columns. */
    public static RunRecord of(String family, double n, double d, double lr, double batchTokens, double loss,
                               RunStatus status) {
        return new RunRecord(family, n, d, lr, batchTokens, Double.NaN, loss, status, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN);
    }

    /** Which cell the run belongs to: exact (family, N, D), never a rounded rendering of them. */
    public CellKey key() {
        return new CellKey(family, n, d);
    }

    /** A cell's identity and its label; the label prints N and D to as many digits as tell them apart exactly. */
    public record CellKey(String family, double n, double d) implements java.io.Serializable, Comparable<CellKey> {
        public String label() {
            return family + " | N=" + exact(n) + " D=" + exact(d);
        }

        @Override
        public int compareTo(CellKey o) {
            int c = family.compareTo(o.family);
            c = c != 0 ? c : Double.compare(n, o.n);
            return c != 0 ? c : Double.compare(d, o.d);
        }
    }

    /** Four significant digits when they name the value exactly, else the shortest text that does. */
    public static String exact(double v) {
        String s = String.format("%.4g", v);
        if (Double.parseDouble(s) == v) {
            return s;
        }
        for (int digits = 5; digits <= 17; digits++) {
            s = String.format("%." + digits + "g", v);
            if (Double.parseDouble(s) == v) {
                return s;
            }
        }
        return Double.toString(v);
    }
}
