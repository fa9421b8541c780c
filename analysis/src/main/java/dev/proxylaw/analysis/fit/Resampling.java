package dev.proxylaw.analysis.fit;

/**
 * How the bootstrap resamples. CELL (the default): draw cells with replacement, then the runs within each
 * drawn cell, so that an interval reflects how few cells the law stands on (six cells of 30 plateau runs are
 * six measurements, not 180). RUN: draw the pooled near-optimal runs with replacement, the Step Law paper's
 * procedure, kept to reproduce its published intervals. Laws fitted to one optimum per cell (Power, loss
 * surface) resample cells in both modes: their runs enter only through the optimum.
 */
public enum Resampling {
    CELL, RUN;

    /** The draw for laws fitted to runs within cells (the Step Law). */
    public Law.Draw forRuns() {
        return this == CELL ? new Law.Draw(true, true) : new Law.Draw(false, true);
    }
}
