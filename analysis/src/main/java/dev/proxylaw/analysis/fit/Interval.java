package dev.proxylaw.analysis.fit;

/** A fitted value: the estimate on all the data, the bootstrap mean and its percentile interval. */
public record Interval(double point, double mean, double lo, double hi) {
    public boolean contains(double x) {
        return lo <= x && x <= hi;
    }

    public boolean overlaps(Interval o) {
        return lo <= o.hi && o.lo <= hi;
    }

    @Override
    public String toString() {
        return String.format("%.4f (mean %.4f, 95%% %.4f..%.4f)", point, mean, lo, hi);
    }
}
