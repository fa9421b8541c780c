package dev.proxylaw.analysis.fit;

import java.util.Objects;

/**
 * One run as the law fits see it: its cell (every axis but LR and batch, e.g. "N=...,D=..."), the
 * scale (N non-embedding parameters, D training tokens), the hyperparameters and the final smoothed
 * loss. lr and batchTokens are NaN where the source did not record them. A DIVERGED run may carry any loss (NaN included); {@link #rankLoss()} places it above every
 * finite loss so that no fit ever sees a NaN.
 */
public record RunPoint(String cell, double n, double d, double lr, double batchTokens, double loss, RunStatus status) implements java.io.Serializable {
    public RunPoint {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(status, "status");
        if (!(n > 0) || !(d > 0)) {
            throw new IllegalArgumentException("Cannot build run point in cell " + cell + ": N=" + n + " and D=" + d
                + " must both be positive. Record N (non-embedding parameters) and D (training tokens) for every run.");
        }
        // NaN: not recorded (a table of one loss per (N, D)); the laws that need lr or batch say so
        if (!(lr > 0 || Double.isNaN(lr)) || !(batchTokens > 0 || Double.isNaN(batchTokens))) {
            throw new IllegalArgumentException("Cannot build run point in cell " + cell + ": lr=" + lr
                + " and batchTokens=" + batchTokens + " must both be positive; the laws are fitted in log space.");
        }
        if (status == RunStatus.COMPLETED && !Double.isFinite(loss)) {
            throw new IllegalArgumentException("Cannot build run point in cell " + cell + " at lr=" + lr
                + ": a COMPLETED run has loss " + loss + ". Mark it DIVERGED, or FAILED if it never trained.");
        }
    }

    public static RunPoint completed(String cell, double n, double d, double lr, double batchTokens, double loss) {
        return new RunPoint(cell, n, d, lr, batchTokens, loss, RunStatus.COMPLETED);
    }

    public static RunPoint diverged(String cell, double n, double d, double lr, double batchTokens) {
        return new RunPoint(cell, n, d, lr, batchTokens, Double.NaN, RunStatus.DIVERGED);
    }

    public boolean diverged() {
        return status == RunStatus.DIVERGED;
    }

    /** The loss used to rank runs: +infinity for a diverged run, above every finite loss. */
    public double rankLoss() {
        return status == RunStatus.COMPLETED ? loss : Double.POSITIVE_INFINITY;
    }
}
