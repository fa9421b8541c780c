package dev.proxylaw.jobs.sweep;

import java.io.PrintStream;

/** The sweep's live console line: runs done / running / failed / diverged, tokens/s, ETA. */
public final class Progress {
    private final PrintStream out;
    private final String sweep;
    private final int total;
    private final int slots;
    private final long start = System.nanoTime();
    private long lastPrint;
    int completed;
    int diverged;
    int failedAttempts;
    int givenUp;
    int already;
    int running;
    long tokens;
    double runSeconds;
    int timedRuns;

    Progress(PrintStream out, String sweep, int total, int slots) {
        this.out = out;
        this.sweep = sweep;
        this.total = total;
        this.slots = Math.max(1, slots);
    }

    void record(RunOutcome o, boolean willRetry) {
        switch (o.status()) {
            case "COMPLETED" -> completed++;
            case "DIVERGED" -> diverged++;
            case "ALREADY" -> already++;
            default -> {
                failedAttempts++;
                if (!willRetry) {
                    givenUp++;
                }
            }
        }
        tokens += o.tokens();
        if (o.wallSeconds() > 0 && !o.status().equals("FAILED")) {
            runSeconds += o.wallSeconds();
            timedRuns++;
        }
    }

    int done() {
        return completed + diverged + already + givenUp;
    }

    void maybePrint(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastPrint < 5_000_000_000L) {
            return;
        }
        lastPrint = now;
        double elapsed = (now - start) / 1e9;
        int left = total - done();
        String eta = timedRuns == 0 || left == 0 ? "-"
                : clock(runSeconds / timedRuns * left / Math.min(slots, Math.max(1, left)));
        out.printf("[sweep %s %s] %d/%d runs: %d completed, %d diverged, %d failed attempts%s | %d running | "
                        + "%,.0f tok/s | ETA %s%n", sweep, clock(elapsed), done(), total, completed, diverged,
                failedAttempts, already > 0 ? ", " + already + " already committed" : "", running,
                elapsed > 0 ? tokens / elapsed : 0.0, eta);
    }

    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
