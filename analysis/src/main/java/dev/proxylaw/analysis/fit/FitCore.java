package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.analysis.report.Families;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The whole fit of a set of runs, engine-free: cells keyed by exact (family, N, D), their optima, every
 * law per family, and transfer across families. Only the bootstrap replicates go through {@link Replicates},
 * so a plain JVM runs the whole fit (a unit test does) and Spark runs the replicates as tasks.
 *
 * <p>One rule for censored cells, in every law ({@link EdgeRule}), with the count reported.
 */
public final class FitCore {
    private FitCore() {
    }

    /** surfaceBootstraps: loss-surface replicates are optimisations, so fewer by default. */
    public record Options(double band, int bootstraps, int surfaceBootstraps, long seed, Resampling resampling,
                          EdgeRule edges, RankLoss rankLoss) {
        /** Runs ranked on the Step Law smoothed train loss. */
        public Options(double band, int bootstraps, int surfaceBootstraps, long seed, Resampling resampling, EdgeRule edges) {
            this(band, bootstraps, surfaceBootstraps, seed, resampling, edges, RankLoss.SMOOTHED);
        }
    }

    /** cells in (family, N, D) order; seconds per phase, summed over families, for bench fit's breakdown. */
    public record Result(List<FitCell> cells, LawsDocument laws, Map<String, Double> seconds) {
    }

    /** Wall time per phase. */
    static final class Clock {
        final Map<String, Double> seconds = new LinkedHashMap<>();
        private long since = System.nanoTime();

        void lap(String phase) {
            long now = System.nanoTime();
            seconds.merge(phase, (now - since) / 1e9, Double::sum);
            since = now;
        }
    }

    public static Result fit(List<RunRecord> runs, Options o, Replicates engine, String source,
                             java.io.PrintStream console) {
        Clock clock = new Clock();
        List<FitCell> cells = FitCell.of(runs, o.band());
        clock.lap("optima");
        Map<String, List<FitCell>> byFamily = cells.stream().collect(Collectors.groupingBy(FitCell::family, TreeMap::new,
                Collectors.toList()));
        Map<String, LawsDocument.Family> families = new LinkedHashMap<>();
        Map<String, String> shortNames = Families.shortNames(byFamily.keySet());
        for (var e : byFamily.entrySet()) {
            LawsDocument.Family f = FamilyFit.fit(e.getKey(), shortNames.get(e.getKey()), e.getValue(), o, engine, clock);
            families.put(e.getKey(), f);
            if (f.noise() != null && console != null) {
                console.printf("[%s] %s%n", f.shortName(), f.noise().summary());
            }
            if (f.stepLaw() != null && console != null) {
                var s = f.stepLaw();
                console.printf("[%s] Step Law: %d cells, %d kept runs, %s resampling%n  cN %s%n  cD %s%n  kD %s%n",
                        f.shortName(), s.cells(), s.keptRuns(), s.resampling(), s.cN(), s.cD(), s.kD());
            }
        }
        LawsDocument.Transfer transfer = TransferFit.fit(cells, o, engine);
        clock.lap("transfer");
        LawsDocument doc = new LawsDocument(LawsDocument.SCHEMA_VERSION, source, o.band(), o.bootstraps(),
                o.surfaceBootstraps(), o.resampling().name().toLowerCase(), o.seed(), o.edges().describe(), o.rankLoss().describe(),
                families, transfer);
        return new Result(cells, doc, clock.seconds);
    }
}
