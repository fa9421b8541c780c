package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The one shape every law has: a point fit from points to coefficients (NaN where the points cannot pin
 * one), bootstrap replicates of it, and a summary of each coefficient as point, mean and 95% interval.
 * Points come in groups (the runs of a cell, the optima of a cell, the sizes at one LR); a replicate draws
 * groups with replacement and/or points within each drawn group with replacement, as {@link Resampling} says.
 */
@FunctionalInterface
public interface Law<P> extends java.io.Serializable {
    double[] fit(List<P> points);

    /** How a replicate draws: across groups (cells), within each drawn group (runs), or both. */
    record Draw(boolean acrossGroups, boolean withinGroups) implements java.io.Serializable {
    }

    /** One resample of the groups, flattened; a pure function of (groups, seed, replicate). */
    static <P> List<P> resample(List<List<P>> groups, Draw draw, long seed, int replicate) {
        SplittableRandom rng = new SplittableRandom(Bootstrap.mix(seed, replicate));
        List<P> out = new ArrayList<>();
        int g = groups.size();
        for (int k = 0; k < g; k++) {
            List<P> group = groups.get(draw.acrossGroups() ? rng.nextInt(g) : k);
            if (!draw.withinGroups()) {
                out.addAll(group);
                continue;
            }
            for (int i = 0; i < group.size(); i++) {
                out.add(group.get(rng.nextInt(group.size())));
            }
        }
        return out;
    }

    /** {@code count} replicates of {@code law} through {@code engine}. */
    static <P> List<double[]> replicates(Replicates engine, String description, List<List<P>> groups, Draw draw,
                                         int count, long seed, Law<P> law) {
        List<List<P>> copy = new ArrayList<>();
        groups.forEach(x -> copy.add(new ArrayList<>(x)));
        return engine.run(description, copy, count, (gs, i) -> law.fit(resample(gs, draw, seed, i)));
    }

    /** Each coefficient's all-data value with the mean and 95% percentile interval of its finite replicates. */
    static Interval[] summarise(double[] point, List<double[]> reps) {
        Interval[] out = new Interval[point.length];
        for (int j = 0; j < point.length; j++) {
            double[] col = new double[reps.size()];
            for (int i = 0; i < col.length; i++) {
                col[i] = reps.get(i)[j];
            }
            out[j] = Bootstrap.interval(point[j], col);
        }
        return out;
    }

    /** Replicates whose coefficients are all finite. */
    static int used(List<double[]> reps) {
        int n = 0;
        for (double[] r : reps) {
            boolean ok = true;
            for (double v : r) {
                ok &= Double.isFinite(v);
            }
            n += ok ? 1 : 0;
        }
        return n;
    }
}
