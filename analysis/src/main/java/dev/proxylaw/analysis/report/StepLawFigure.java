package dev.proxylaw.analysis.report;

import dev.proxylaw.analysis.fit.Interval;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Collectors;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * eta_opt against N and B_opt against D on log-log axes: the cells' optima, the fitted Step Law with the
 * 95% band of its bootstrap replicates, and the held-out cells' predictions from the fit without them.
 */
final class StepLawFigure {
    static final String SECTION = "Step Law";
    private static final int MAX_LINES = 6;
    private static final int GRID = 40;

    private StepLawFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        if (m.stepLaws().isEmpty()) {
            out.skip("step_law", SECTION, "Step Law: eta_opt(N, D) and B_opt(D)", m.notes().values().stream()
                    .flatMap(List::stream).filter(n -> n.startsWith("Step Law")).findFirst()
                    .orElse(m.cells().isEmpty() ? "no fit yet: run ./proxylaw fit on the sweep" : "no family has a Step Law fit"));
            return;
        }
        Map<String, String> names = Families.shortNames(m.stepLaws().stream().map(ReportModel.StepLaw::family).toList());
        int k = 0;
        for (ReportModel.StepLaw law : m.stepLaws()) {
            String suffix = k++ == 0 ? "" : "_" + k;
            List<ReportModel.Cell> cells = m.cells().stream().filter(c -> c.family().equals(law.family())
                    && !c.allDiverged() && Double.isFinite(c.lrOpt())).toList();
            ReportModel.Holdout h = m.holdouts().stream().filter(x -> x.family().equals(law.family())).findFirst().orElse(null);
            String fam = m.stepLaws().size() > 1 ? " (" + names.get(law.family()) + ")" : "";
            out.add(lrFigure("step_law_lr" + suffix, law, cells, h, fam));
            out.add(batchFigure("step_law_batch" + suffix, law, cells, h, fam));
        }
    }

    private static Figure lrFigure(String id, ReportModel.StepLaw law, List<ReportModel.Cell> cells,
                                   ReportModel.Holdout h, String fam) {
        double[] ds = distinctByRange(cells.stream().mapToDouble(ReportModel.Cell::d).toArray());
        double[] ns = cells.stream().mapToDouble(ReportModel.Cell::n).toArray();
        YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
        XYSeriesCollection pts = new XYSeriesCollection();
        List<Figure.Series> data = new ArrayList<>();
        for (double d : ds) {
            YIntervalSeries s = band("fit at D=" + Charts.fmt(d), ns, n -> law.lr(n, d),
                    (r, n) -> Math.exp(r[0] + r[1] * Math.log(n) + r[2] * Math.log(d)), law.replicates(), data);
            bands.addSeries(s);
            XYSeries o = new XYSeries("optima at D=" + Charts.fmt(d), true, true);
            cells.stream().filter(c -> nearest(ds, c.d()) == d).forEach(c -> o.add(c.n(), c.lrOpt()));
            pts.addSeries(o);
            data.add(Figure.Series.of(o));
        }
        String held = heldOut(h, pts, true, data);
        XYPlot plot = plot(bands, pts, Charts.log("N (Step Law non-embedding parameters)"), Charts.log("eta_opt (peak LR)"));
        String title = "Step Law: optimal LR against N" + fam;
        String caption = String.format("Cells' refined optimal peak LR against N, coloured by token budget D (%d cells; "
                + "D grouped to the nearest of %d lines). Lines: ln eta = c0 + cN ln N + cD ln D fitted to the %d "
                + "near-optimal runs, cN = %s, cD = %s; bands: 95%% of %d bootstrap replicates.%s",
                law.cells(), ds.length, law.keptRuns(), iv(law.cN()), iv(law.cD()), law.replicates().size(), held);
        return new Figure(id, SECTION, title, caption, Charts.chart(title, plot, true), 640, 430, data);
    }

    private static Figure batchFigure(String id, ReportModel.StepLaw law, List<ReportModel.Cell> cells,
                                      ReportModel.Holdout h, String fam) {
        double[] ds = cells.stream().mapToDouble(ReportModel.Cell::d).toArray();
        YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
        List<Figure.Series> data = new ArrayList<>();
        bands.addSeries(band("fit", ds, law::batchTokens, (r, d) -> Math.exp(r[3] + r[4] * Math.log(d)),
                law.replicates(), data));
        XYSeriesCollection pts = new XYSeriesCollection();
        Map<Double, List<ReportModel.Cell>> byN = cells.stream().filter(c -> Double.isFinite(c.batchTokensOpt()))
                .collect(Collectors.groupingBy(ReportModel.Cell::n, java.util.TreeMap::new, Collectors.toList()));
        for (var e : byN.entrySet()) {
            XYSeries o = new XYSeries("optima at N=" + Charts.fmt(e.getKey()), true, true);
            e.getValue().forEach(c -> o.add(c.d(), c.batchTokensOpt()));
            pts.addSeries(o);
            data.add(Figure.Series.of(o));
        }
        String held = heldOut(h, pts, false, data);
        XYPlot plot = plot(bands, pts, Charts.log("D (training tokens)"), Charts.log("B_opt (batch, tokens)"));
        String title = "Step Law: optimal batch against D" + fam;
        String caption = String.format("Cells' optimal batch (tokens) against D, coloured by N (%d cells). Line: "
                + "ln B = k0 + kD ln D over the same %d near-optimal runs, kD = %s; band: 95%% of %d bootstrap "
                + "replicates.%s", law.cells(), law.keptRuns(), iv(law.kD()), law.replicates().size(), held);
        return new Figure(id, SECTION, title, caption, Charts.chart(title, plot, true), 640, 430, data);
    }

    /** The fitted curve over the data's range (a little wider) with the replicates' 2.5..97.5 percentiles. */
    private static YIntervalSeries band(String name, double[] xs, DoubleUnaryOperator fit,
                                        ReplicateFn rep, List<double[]> replicates, List<Figure.Series> data) {
        double lo = Arrays.stream(xs).min().orElse(1) / 1.5;
        double hi = Arrays.stream(xs).max().orElse(1) * 1.5;
        YIntervalSeries s = new YIntervalSeries(name);
        double[] gx = new double[GRID];
        double[] gy = new double[GRID];
        double[] glo = new double[GRID];
        double[] ghi = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            double x = lo * Math.pow(hi / lo, i / (GRID - 1.0));
            double[] r = replicates.stream().mapToDouble(c -> rep.apply(c, x)).filter(Double::isFinite).sorted().toArray();
            double y = fit.applyAsDouble(x);
            double a = r.length > 0 ? r[(int) Math.floor(0.025 * (r.length - 1))] : y;
            double b = r.length > 0 ? r[(int) Math.ceil(0.975 * (r.length - 1))] : y;
            s.add(x, y, a, b);
            gx[i] = x;
            gy[i] = y;
            glo[i] = a;
            ghi[i] = b;
        }
        data.add(new Figure.Series(name, gx, gy, glo, ghi));
        return s;
    }

    interface ReplicateFn {
        double apply(double[] coefficients, double x);
    }

    private static String heldOut(ReportModel.Holdout h, XYSeriesCollection pts, boolean lr, List<Figure.Series> data) {
        if (h == null || h.checks().isEmpty()) {
            return "";
        }
        XYSeries s = new XYSeries("held-out prediction", true, true);
        h.checks().forEach(c -> s.add(lr ? c.n() : c.d(), lr ? c.lrPred() : c.batchTokensPred()));
        pts.addSeries(s);
        data.add(Figure.Series.of(s));
        return String.format(" Open diamonds: the %d cells at N = %s predicted by the law fitted without them; the "
                + "runs nearest to those predictions lose %.3f%% on average against the cell's best (Step Law's "
                + "held-out metric).", h.checks().size(), Charts.count(h.heldOutN()), 100 * h.meanRelativeError());
    }

    private static XYPlot plot(YIntervalSeriesCollection bands, XYSeriesCollection pts,
                               org.jfree.chart.axis.ValueAxis x, org.jfree.chart.axis.ValueAxis y) {
        DeviationRenderer dr = new DeviationRenderer(true, false);
        dr.setAlpha(0.18f);
        XYLineAndShapeRenderer pr = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < bands.getSeriesCount(); i++) {
            dr.setSeriesPaint(i, Charts.color(i));
            dr.setSeriesFillPaint(i, Charts.color(i));
            dr.setSeriesStroke(i, new BasicStroke(1.6f));
            dr.setSeriesVisibleInLegend(i, bands.getSeriesCount() == 1);
        }
        for (int i = 0; i < pts.getSeriesCount(); i++) {
            boolean held = pts.getSeriesKey(i).toString().startsWith("held-out");
            pr.setSeriesPaint(i, held ? Color.BLACK : Charts.color(bands.getSeriesCount() > 1 ? i : i + 1));
            pr.setSeriesShape(i, held ? ShapeUtils.createDiamond(6f) : new java.awt.geom.Ellipse2D.Double(-4, -4, 8, 8));
            pr.setSeriesShapesFilled(i, !held);
        }
        XYPlot p = Charts.plot(pts, x, y, pr);
        p.setDataset(1, bands);
        p.setRenderer(1, dr);
        return p;
    }

    /** Up to MAX_LINES distinct values, spread over the range: one fitted line per budget would clutter. */
    private static double[] distinctByRange(double[] v) {
        double[] d = Arrays.stream(v).distinct().sorted().toArray();
        if (d.length <= MAX_LINES) {
            return d;
        }
        double[] out = new double[MAX_LINES];
        for (int i = 0; i < MAX_LINES; i++) {
            out[i] = d[(int) Math.round(i * (d.length - 1.0) / (MAX_LINES - 1))];
        }
        return out;
    }

    private static double nearest(double[] grid, double v) {
        double best = grid[0];
        for (double g : grid) {
            if (Math.abs(Math.log(g / v)) < Math.abs(Math.log(best / v))) {
                best = g;
            }
        }
        return best;
    }

    static String iv(Interval i) {
        return String.format("%.3f (95%% %.3f..%.3f)", i.point(), i.lo(), i.hi());
    }
}
