package dev.proxylaw.analysis.fit;

/** The status a run ends in, as the runs/ dataset records it; a string only at the Parquet and CSV edges. */
public enum RunStatus {
    COMPLETED,
    /** Trained until the loss blew up: stays in the data, it marks the edge of the LR basin. */
    DIVERGED,
    /** Crashed for a reason unrelated to the hyperparameters: carries no information about them. */
    FAILED;

    /** The status written as {@code text} (any case), or null when it names none of the three. */
    public static RunStatus parse(String text) {
        if (text == null) {
            return null;
        }
        for (RunStatus s : values()) {
            if (s.name().equalsIgnoreCase(text.strip())) {
                return s;
            }
        }
        return null;
    }
}
