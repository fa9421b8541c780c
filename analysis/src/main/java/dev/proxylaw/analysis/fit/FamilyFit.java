package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.List;

/**
 * Every law of one family from its cells: the Step Law, its held-out check, the Power scheduler, the loss
 * surface and the max-logit extrapolation, each by the same shape ({@link Law}: point fit, replicates through
 * the engine, summary) and the same rule for censored cells ({@link EdgeRule}), with the count in each law.
 */
final class FamilyFit {
    private FamilyFit() {
    }

    static LawsDocument.Family fit(String family, String shortName, List<FitCell> cells, FitCore.Options o,
                                   Replicates engine, FitCore.Clock clock) {
        List<String> notes = new ArrayList<>();
        List<FitCell> usable = cells.stream().filter(c -> c.usable(o.edges())).toList();
        int edge = (int) cells.stream().filter(c -> !c.optimum().allDiverged() && c.edge()).count();
        List<String> allDiverged = cells.stream().filter(c -> c.optimum().allDiverged()).map(c -> c.key().label()).toList();
        if (edge > 0 && o.edges() == EdgeRule.EXCLUDE) {
            notes.add(edge + " cell(s) have their best run at an end of the LR ladder (censored) and are left out of "
                    + "every law: " + String.join("; ", cells.stream().filter(c -> !c.optimum().allDiverged() && c.edge())
                    .map(c -> c.key().label()).toList()) + ". Extend the LR grid past them.");
        }
        double[] fittedN = range(usable, true);
        double[] fittedD = range(usable, false);
        LawsDocument.StepLaw stepLaw = stepLaw(family, usable, edge, allDiverged, o, engine, notes);
        clock.lap("step law");
        LawsDocument.Holdout holdout = stepLaw == null ? null : holdout(usable, o, notes);
        clock.lap("holdout");
        LawsDocument.Power power = null;
        PowerSchedulerFit.Points pp = PowerSchedulerFit.fromCells(cells, o.edges());
        if (cells.stream().noneMatch(c -> c.seqLen() > 0)) {
            notes.add("Power-scheduler constants not fitted: the runs carry no sequence length (B in sequences); give "
                    + "a seq_len column.");
        } else {
            power = PowerSchedulerFit.fit(pp, engine, "proxylaw fit " + family + ": Power bootstrap", o.bootstraps(), o.seed());
            if (power == null) {
                notes.add("Power-scheduler constants not fitted: it needs three or more bracketed (N, D, batch) optima over "
                        + "two or more D; there are " + pp.all().size() + " over "
                        + pp.all().stream().mapToDouble(PowerSchedulerFit.Point::d).distinct().count() + " D.");
            }
        }
        clock.lap("power");
        LawsDocument.LossSurface surface = SurfaceLaw.fit(family, cells, edge, o, engine, notes);
        clock.lap("surface");
        LawsDocument.MaxLogit maxLogit = MaxLogitLaw.fit(family, cells, o, engine);
        clock.lap("max logit");
        if (!allDiverged.isEmpty()) {
            notes.add(allDiverged.size() + " cell(s) had every run diverged: " + String.join("; ", allDiverged));
        }
        LawsDocument.Noise noise = SeedNoise.of(cells, o.band());
        if (noise != null && noise.bandBelowNoise()) {
            notes.add(noise.summary() + ". Runs within the band of a cell's best are not told apart from it by this "
                    + "data; repeat more seeds, train longer, or widen --band to the noise.");
        }
        return new LawsDocument.Family(shortName, fittedN, fittedD, stepLaw, holdout, power, surface, maxLogit, noise, notes);
    }

    private static double[] range(List<FitCell> cells, boolean n) {
        if (cells.isEmpty()) {
            return null;
        }
        double lo = cells.stream().mapToDouble(c -> n ? c.key().n() : c.key().d()).min().orElseThrow();
        double hi = cells.stream().mapToDouble(c -> n ? c.key().n() : c.key().d()).max().orElseThrow();
        return new double[] {lo, hi};
    }

    private static LawsDocument.StepLaw stepLaw(String family, List<FitCell> usable, int edge, List<String> allDiverged,
                                                FitCore.Options o, Replicates engine, List<String> notes) {
        List<List<RunPoint>> byCell = new ArrayList<>();
        List<RunPoint> kept = new ArrayList<>();
        for (FitCell c : usable) {
            byCell.add(c.optimum().nearOptimal());
            kept.addAll(c.optimum().nearOptimal());
        }
        long ns = usable.stream().mapToDouble(c -> c.key().n()).distinct().count();
        long ds = usable.stream().mapToDouble(c -> c.key().d()).distinct().count();
        if (kept.stream().anyMatch(r -> !(r.lr() > 0) || !(r.batchTokens() > 0))) {
            notes.add("Step Law not fitted: the runs carry no lr or batch (a table of one loss per (N, D)); map lr and "
                    + "batch_tokens with --columns to fit it.");
            return null;
        }
        StepLawCoefficients point = kept.isEmpty() ? null : StepLawFit.fitKept(kept);
        if (point == null || !point.finite()) {
            notes.add("Step Law not fitted: its " + usable.size() + " usable cells span " + ns + " N and " + ds
                    + " D values; it needs at least two of each, with D varying apart from N.");
            return null;
        }
        List<List<RunPoint>> groups = o.resampling() == Resampling.CELL ? byCell : List.of(kept);
        List<double[]> reps = Law.replicates(engine, "proxylaw fit " + family + ": Step Law bootstrap", groups,
                o.resampling().forRuns(), o.bootstraps(), o.seed(), pts -> StepLawFit.fitKept(pts).toArray());
        Interval[] iv = Law.summarise(point.toArray(), reps);
        Coefficient[] c = new Coefficient[5];
        for (int i = 0; i < 5; i++) {
            c[i] = Coefficient.of(iv[i]);
        }
        double r = correlation(kept);
        if (Math.abs(r) > 0.99) {
            String why = String.format("ln N and ln D are collinear across the near-optimal runs (r = %.4f): D was "
                    + "tied to N. Sweep D apart from N.", r);
            c[0] = Coefficient.unidentified(why);
            c[1] = Coefficient.unidentified(why);
            c[2] = Coefficient.unidentified(why);
        }
        long batches = kept.stream().mapToDouble(RunPoint::batchTokens).distinct().count();
        if (batches < 2) {
            String why = "batch was never varied among the near-optimal runs (every one at " + RunRecord.exact(
                    kept.get(0).batchTokens()) + " tokens). Sweep batch to fit it.";
            c[3] = Coefficient.unidentified(why);
            c[4] = Coefficient.unidentified(why);
        }
        LinearFit lr = StepLawFit.lrRegression(kept);
        LinearFit bf = StepLawFit.batchRegression(kept);
        return new LawsDocument.StepLaw("ln lr = c0 + cN ln N + cD ln D; ln B_tokens = k0 + kD ln D", usable.size(),
                kept.size(), edge, o.resampling().name().toLowerCase(), c[0], c[1], c[2], c[3], c[4], quality(lr),
                quality(bf), Law.used(reps), allDiverged, reps);
    }

    private static double correlation(List<RunPoint> kept) {
        double mx = 0;
        double my = 0;
        for (RunPoint p : kept) {
            mx += Math.log(p.n()) / kept.size();
            my += Math.log(p.d()) / kept.size();
        }
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (RunPoint p : kept) {
            double x = Math.log(p.n()) - mx;
            double y = Math.log(p.d()) - my;
            sxy += x * y;
            sxx += x * x;
            syy += y * y;
        }
        return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Double.NaN;
    }

    static LawsDocument.Quality quality(LinearFit f) {
        return f == null ? null : new LawsDocument.Quality(fin(f.rSquared()), fin(f.residualRms()));
    }

    private static LawsDocument.Holdout holdout(List<FitCell> usable, FitCore.Options o, List<String> notes) {
        long ns = usable.stream().mapToDouble(c -> c.key().n()).distinct().count();
        if (ns < 3) {
            notes.add("held-out validation needs at least three N values; the usable cells have " + ns + ".");
            return null;
        }
        List<RunPoint> all = usable.stream().flatMap(c -> c.runs().stream()).toList();
        try {
            StepLawHoldout.Result h = StepLawHoldout.leaveLargestNOut(all, o.band());
            List<LawsDocument.Holdout.Check> checks = h.cells().stream().map(cc -> new LawsDocument.Holdout.Check(
                    cc.cell(), cc.n(), cc.d(), cc.lrPred(), cc.batchTokensPred(), cc.bestLoss(), fin(cc.relativeError())))
                    .toList();
            return new LawsDocument.Holdout(h.heldOutN(), fin(h.meanRelativeError()), fin(h.maxRelativeError()),
                    checks.size(), checks);
        } catch (IllegalArgumentException ex) {
            notes.add("held-out validation not run: " + ex.getMessage());
            return null;
        }
    }

    static Double fin(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
