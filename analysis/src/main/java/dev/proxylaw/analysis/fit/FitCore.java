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
        if (console != null) {
            printOptima(byFamily, shortNames, console);
            printTransfer(transfer, shortNames, console);
        }
        LawsDocument doc = new LawsDocument(LawsDocument.SCHEMA_VERSION, source, o.band(), o.bootstraps(),
                o.surfaceBootstraps(), o.resampling().name().toLowerCase(), o.seed(), o.edges().describe(), o.rankLoss().describe(),
                families, transfer);
        return new Result(cells, doc, clock.seconds);
    }

    /** Each family's optimum per (width, depth, D): LR and best loss, "edge" where the ladder ends there. */
    static void printOptima(Map<String, List<FitCell>> byFamily, Map<String, String> names, java.io.PrintStream console) {
        for (var e : byFamily.entrySet()) {
            console.printf("[%s] optima (width x depth, D tokens: eta_opt, best loss):%n", names.get(e.getKey()));
            for (FitCell c : e.getValue()) {
                CellOptimum opt = c.optimum();
                console.printf("  %s x %s, D=%s: %s%n", fmt(c.width()), fmt(c.depth()), RunRecord.exact(c.key().d()),
                        opt.allDiverged() ? "every run diverged" : String.format("%.3g%s, %.4f", opt.lrOpt(),
                                opt.edge() ? " (edge of the ladder)" : "", opt.best().loss()));
            }
        }
    }

    /** Kalra and Barkeshli's metrics per budget and family, with their intervals. */
    static void printTransfer(LawsDocument.Transfer t, Map<String, String> names, java.io.PrintStream console) {
        if (t == null) {
            return;
        }
        for (var b : t.byBudget().entrySet()) {
            console.printf("transfer over %s at %s:%n", t.axis(), b.getKey());
            for (var m : b.getValue().byParameterization().entrySet()) {
                LawsDocument.Transfer.Metrics x = m.getValue();
                console.printf("  [%s] slope of ln eta_opt on ln %s %s; extrapolation cost %s; asymptotic penalty %s%n",
                        names.getOrDefault(m.getKey(), m.getKey()), t.axis(), x.etaSlope(), x.extrapolationCost(),
                        x.asymptoticPenalty());
            }
        }
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.valueOf(Math.round(v)) : "?";
    }
}
