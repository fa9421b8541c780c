package dev.proxylaw.analysis.fit.laws;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.proxylaw.analysis.fit.Interval;

/**
 * A fitted coefficient: the all-data estimate with its bootstrap mean and 95% interval, or, where the data
 * cannot identify it, only {@code unidentified} saying why (never a number with a zero-width interval).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Coefficient(Double point, Double mean, Double lo95, Double hi95, String unidentified) {
    public static Coefficient of(Interval i) {
        return new Coefficient(finite(i.point()), finite(i.mean()), finite(i.lo()), finite(i.hi()), null);
    }

    public static Coefficient unidentified(String why) {
        return new Coefficient(null, null, null, null, why);
    }

    @JsonIgnore
    public boolean identified() {
        return unidentified == null && point != null;
    }

    /** The estimate, NaN where unidentified. */
    @JsonIgnore
    public double value() {
        return point == null ? Double.NaN : point;
    }

    /** As an {@link Interval}, NaN where a part is missing. */
    public Interval interval() {
        return new Interval(nan(point), nan(mean), nan(lo95), nan(hi95));
    }

    @Override
    public String toString() {
        return identified() ? interval().toString() : "unidentified (" + unidentified + ")";
    }

    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }
}
