package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Transfer across width (or depth, when only depth varies) at a fixed budget: cells are grouped by D (a
 * fixed-steps sweep) or by tokens per parameter D/N (a fixed-ratio sweep), within 10% of the group's first
 * (budgets are rounded to whole steps), and within a group with three or more scales each family's LR curve
 * per scale is one curve of {@link TransferMetrics}. Intervals come from replicates that resample the runs
 * within each cell (the scales are the design, not a sample, so cells are not redrawn).
 */
final class TransferFit {
    private TransferFit() {
    }

    static LawsDocument.Transfer fit(List<FitCell> cells, FitCore.Options o, Replicates engine) {
        long widths = cells.stream().mapToDouble(FitCell::width).filter(Double::isFinite).distinct().count();
        long depths = cells.stream().mapToDouble(FitCell::depth).filter(Double::isFinite).distinct().count();
        if (widths < 3 && depths < 3) {
            return null;
        }
        String axis = widths >= 3 ? "width" : "depth";
        ToDoubleFunction<FitCell> scale = widths >= 3 ? FitCell::width : FitCell::depth;
        List<FitCell> usable = cells.stream().filter(c -> Double.isFinite(scale.applyAsDouble(c))
                && !c.optimum().allDiverged()).toList();
        Map<String, List<FitCell>> groups = new TreeMap<>();
        groups.putAll(cluster("D", usable, c -> c.key().d()));
        groups.putAll(cluster("D/N", usable, c -> c.key().d() / c.key().n()));
        Map<String, LawsDocument.Transfer.Budget> byBudget = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        for (var g : groups.entrySet()) {
            Set<String> seen = new HashSet<>();
            boolean unique = true;
            Map<String, String> familyOf = new HashMap<>();
            Map<String, Double> scaleOf = new HashMap<>();
            List<List<RunPoint>> runs = new ArrayList<>();
            for (FitCell c : g.getValue()) {
                double s = scale.applyAsDouble(c);
                unique &= seen.add(c.family() + "@" + s);
                familyOf.put(c.key().label(), c.family());
                scaleOf.put(c.key().label(), s);
                runs.add(c.runs());
            }
            if (!unique || scaleOf.values().stream().distinct().count() < 3) {
                continue;
            }
            TransferMetrics.Result point;
            try {
                point = TransferMetrics.of(curves(runs.stream().flatMap(List::stream).toList(), familyOf, scaleOf));
            } catch (IllegalArgumentException e) {
                skipped.add(g.getKey() + ": " + e.getMessage());
                continue;
            }
            List<String> families = familyOf.values().stream().distinct().sorted().toList();
            Law<RunPoint> law = pts -> vector(pts, familyOf, scaleOf, families);
            List<double[]> reps = Law.replicates(engine, "proxylaw fit: transfer bootstrap " + g.getKey(), runs,
                    new Law.Draw(false, true), o.bootstraps(), o.seed(), law);
            Interval[] iv = Law.summarise(vector(point, families), reps);
            byBudget.put(g.getKey(), new LawsDocument.Transfer.Budget(metrics(point, families, iv)));
        }
        return new LawsDocument.Transfer(axis, byBudget, skipped);
    }

    private static List<TransferMetrics.Curve> curves(List<RunPoint> runs, Map<String, String> familyOf,
                                                      Map<String, Double> scaleOf) {
        Map<String, List<RunPoint>> byCell = new TreeMap<>();
        for (RunPoint r : runs) {
            byCell.computeIfAbsent(r.cell(), k -> new ArrayList<>()).add(r);
        }
        List<TransferMetrics.Curve> out = new ArrayList<>();
        byCell.forEach((cell, rs) -> out.add(TransferMetrics.Curve.of(familyOf.get(cell), scaleOf.get(cell), rs)));
        return out;
    }

    private static double[] vector(List<RunPoint> runs, Map<String, String> familyOf, Map<String, Double> scaleOf,
                                   List<String> families) {
        try {
            return vector(TransferMetrics.of(curves(runs, familyOf, scaleOf)), families);
        } catch (IllegalArgumentException e) {
            // a resample in which some cell kept no completed run has no optimum there
            double[] nan = new double[3 * families.size()];
            java.util.Arrays.fill(nan, Double.NaN);
            return nan;
        }
    }

    /** Per family (in {@code families} order): eta slope, extrapolation cost, asymptotic penalty. */
    private static double[] vector(TransferMetrics.Result r, List<String> families) {
        double[] out = new double[3 * families.size()];
        java.util.Arrays.fill(out, Double.NaN);
        for (int i = 0; i < families.size(); i++) {
            String f = families.get(i);
            int k = i;
            r.etaFits().stream().filter(x -> x.parameterization().equals(f)).findFirst().ifPresent(x -> out[3 * k] = x.slope());
            r.extrapolations().stream().filter(x -> x.parameterization().equals(f)).findFirst()
                    .ifPresent(x -> out[3 * k + 1] = x.cost());
            r.asymptotes().stream().filter(x -> x.parameterization().equals(f)).findFirst()
                    .ifPresent(x -> out[3 * k + 2] = x.penalty());
        }
        return out;
    }

    private static Map<String, LawsDocument.Transfer.Metrics> metrics(TransferMetrics.Result r, List<String> families,
                                                                      Interval[] iv) {
        Map<String, LawsDocument.Transfer.Metrics> out = new LinkedHashMap<>();
        for (int i = 0; i < families.size(); i++) {
            String f = families.get(i);
            var eta = r.etaFits().stream().filter(x -> x.parameterization().equals(f)).findFirst().orElse(null);
            var ext = r.extrapolations().stream().filter(x -> x.parameterization().equals(f)).findFirst().orElse(null);
            var asy = r.asymptotes().stream().filter(x -> x.parameterization().equals(f)).findFirst().orElse(null);
            if (eta == null && ext == null && asy == null) {
                continue;
            }
            out.put(f, new LawsDocument.Transfer.Metrics(
                    eta == null ? null : Coefficient.of(iv[3 * i]), eta == null ? null : FamilyFit.fin(eta.residualRms()),
                    eta == null ? null : FamilyFit.fin(eta.rSquared()), eta == null ? null : eta.points(),
                    ext == null ? null : ext.heldOutScale(), ext == null ? null : Coefficient.of(iv[3 * i + 1]),
                    ext == null ? null : ext.clamped(), asy == null ? null : FamilyFit.fin(asy.lInf()),
                    asy == null ? Coefficient.unidentified("L_opt = L_inf + A s^-alpha needs "
                            + TransferMetrics.MIN_FLOOR_SCALES + "+ widths (or depths) with interior optima and "
                            + "gives no floor >= 0 from these")
                            : r.asymptotes().size() < 2 ? Coefficient.unidentified("the penalty compares floors across "
                            + "parameterizations, and only this one has a floor at this budget (L_inf " + String.format("%.4f",
                            asy.lInf()) + ")")
                            : Coefficient.of(iv[3 * i + 2])));
        }
        return out;
    }

    private static Map<String, List<FitCell>> cluster(String what, List<FitCell> cells, ToDoubleFunction<FitCell> budget) {
        List<FitCell> sorted = new ArrayList<>(cells);
        sorted.sort(Comparator.comparingDouble(budget));
        Map<String, List<FitCell>> out = new LinkedHashMap<>();
        List<FitCell> current = null;
        double first = Double.NaN;
        for (FitCell c : sorted) {
            double b = budget.applyAsDouble(c);
            if (current == null || b > first * 1.1) {
                first = b;
                current = new ArrayList<>();
                out.put(what + "~" + String.format("%.4g", b), current);
            }
            current.add(c);
        }
        return out;
    }
}
