package dev.proxylaw.analysis.fit;

/**
 * What every law does with a censored cell: one whose best run sits at an end of its LR ladder (two or more
 * LRs), so its optimum is a bound, not a measurement. EXCLUDE (the default) leaves such cells out of every law;
 * KEEP fits them like any other cell, as the Step Law paper did (its published procedure keeps every cell).
 * Each law reports how many cells were censored either way. A cell measured at a single LR is no ladder and
 * never censored.
 */
public enum EdgeRule {
    EXCLUDE, KEEP;

    public String describe() {
        return this == EXCLUDE
                ? "a cell whose best run sits at an end of its LR ladder (two or more LRs) is censored and left out of every law; each law reports the count"
                : "censored cells (best run at an end of the LR ladder) are fitted like any other, as the Step Law paper did; each law reports the count";
    }
}
