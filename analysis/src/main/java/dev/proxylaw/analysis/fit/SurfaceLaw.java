package dev.proxylaw.analysis.fit;

import dev.proxylaw.analysis.fit.laws.Coefficient;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import java.util.ArrayList;
import java.util.List;

/**
 * The loss surface of one family through the {@link Law} shape: one point per usable cell (its best loss),
 * replicates resample cells. Where the multi-start reaches the same fit at different coefficients the cells do
 * not identify the surface, and likewise where N or D spans less than {@link #MIN_SPAN}x: it is reported as
 * unidentified in one line, and no replicate is run (each would search the unpinned direction again to
 * measure a spread that only restates it).
 */
final class SurfaceLaw {
    static final String FORM = "L(N, D) = E + A / N^alpha + B / D^beta (Huber in log space, multi-start)";

    /** The least ratio max/min of N and of D for which the surface's exponents are fitted at all. */
    static final double MIN_SPAN = 2;

    private SurfaceLaw() {
    }

    private static double span(List<LossSurfaceFit.Point> pts, boolean n) {
        double lo = pts.stream().mapToDouble(p -> n ? p.n() : p.d()).min().orElse(1);
        double hi = pts.stream().mapToDouble(p -> n ? p.n() : p.d()).max().orElse(1);
        return hi / lo;
    }

    static LawsDocument.LossSurface fit(String family, List<FitCell> cells, int edge, FitCore.Options o,
                                        Replicates engine, List<String> notes) {
        List<LossSurfaceFit.Point> pts = new ArrayList<>();
        for (FitCell c : cells) {
            if (c.usable(o.edges())) {
                pts.add(new LossSurfaceFit.Point(c.key().label(), c.key().n(), c.key().d(), c.optimum().best().loss()));
            }
        }
        long ns = pts.stream().mapToDouble(LossSurfaceFit.Point::n).distinct().count();
        long ds = pts.stream().mapToDouble(LossSurfaceFit.Point::d).distinct().count();
        if (ns < 3 || ds < 3) {
            notes.add("loss surface not fitted: it needs three or more N and D among the usable cells (" + ns + " N, "
                    + ds + " D).");
            return null;
        }
        double spanN = span(pts, true);
        double spanD = span(pts, false);
        if (spanN < MIN_SPAN || spanD < MIN_SPAN) {
            // the starts can agree on such a grid and still leave an exponent free (alpha from 0 to 1.4 on three
            // N within 0.3%), with replicates that each search the flat direction: say so instead
            String why = String.format("the usable cells span N over %.4gx and D over %.4gx; an exponent needs each "
                    + "axis to span %.0fx or more. Add cells at other N and D.", spanN, spanD, MIN_SPAN);
            notes.add("loss surface unidentified: " + why);
            Coefficient u = Coefficient.unidentified(why);
            return new LawsDocument.LossSurface(FORM, pts.size(), edge, u, u, u, u, u, null, 0);
        }
        double delta = LossSurfaceFit.DEFAULT_DELTA;
        LossSurfaceFit.PointFit all = LossSurfaceFit.fitChecked(pts, delta);
        LossSurfaceFit.Coefficients point = all.coefficients();
        if (!point.finite()) {
            notes.add("loss surface not fitted: no start of the optimiser converged on these " + pts.size() + " cells.");
            return null;
        }
        LossSurfaceFit.Coefficients warm = all.warmStart();
        if (warm == null) {
            String why = "the optimiser's starts reach the same fit at different (E, A, alpha, B, beta): these " + pts.size()
                    + " cells do not pin the surface. Add cells at other N and D.";
            notes.add("loss surface unidentified: " + why);
            Coefficient u = Coefficient.unidentified(why);
            return new LawsDocument.LossSurface(FORM, pts.size(), edge, u, u, u, u, u, null, 0);
        }
        List<List<LossSurfaceFit.Point>> groups = pts.stream().map(List::of).toList();
        List<double[]> reps = Law.replicates(engine, "proxylaw fit " + family + ": loss-surface bootstrap", groups,
                new Law.Draw(true, false), o.surfaceBootstraps(), o.seed(),
                sample -> LossSurfaceFit.fitFrom(sample, delta, warm).toArray());
        List<LossSurfaceFit.Coefficients> cs = reps.stream()
                .map(r -> new LossSurfaceFit.Coefficients(r[0], r[1], r[2], r[3], r[4])).toList();
        LossSurfaceFit.Result r = LossSurfaceFit.summarise(pts, delta, point, cs);
        return new LawsDocument.LossSurface(FORM, r.cells(), edge, Coefficient.of(r.e()), Coefficient.of(r.a()),
                Coefficient.of(r.alpha()), Coefficient.of(r.b()), Coefficient.of(r.beta()), FamilyFit.fin(r.logRms()),
                r.replicatesUsed());
    }
}
