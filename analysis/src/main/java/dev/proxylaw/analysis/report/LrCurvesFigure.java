package dev.proxylaw.analysis.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.util.ShapeUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Loss against peak LR, one panel per family (SP and muP side by side), one curve per width, depth or
 * budget. At each LR the best batch is taken; diverged runs are crosses along the top edge.
 */
final class LrCurvesFigure {
    static final String SECTION = "Transfer";
    private static final int PANELS_PER_FIGURE = 3;

    private LrCurvesFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        Map<String, List<ReportModel.Point>> byFamily = m.points().stream().collect(Collectors.groupingBy(
                ReportModel.Point::family, TreeMap::new, Collectors.toList()));
        byFamily.values().removeIf(ps -> ps.stream().mapToDouble(ReportModel.Point::lr).distinct().count() < 2);
        if (byFamily.isEmpty()) {
            out.skip("lr_curves", SECTION, "Loss against peak LR", m.points().isEmpty()
                    ? "no fit yet: run ./proxylaw fit on the sweep" : "no family was swept over two or more LRs");
            return;
        }
        Map<String, String> names = Families.shortNames(byFamily.keySet());
        List<String> families = new ArrayList<>(byFamily.keySet());
        for (int from = 0, k = 1; from < families.size(); from += PANELS_PER_FIGURE, k++) {
            List<String> chunk = families.subList(from, Math.min(families.size(), from + PANELS_PER_FIGURE));
            out.add(figure(k == 1 ? "lr_curves" : "lr_curves_" + k, chunk, byFamily, names, m.rankedOn()));
        }
    }

    private static Figure figure(String id, List<String> families, Map<String, List<ReportModel.Point>> byFamily,
                                 Map<String, String> names, String rankedOn) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (String f : families) {
            for (ReportModel.Point p : byFamily.get(f)) {
                if (!p.diverged() && Double.isFinite(p.loss())) {
                    lo = Math.min(lo, p.loss());
                    hi = Math.max(hi, p.loss());
                }
            }
        }
        // the basin is what matters: cap the axis a little above it, so one bad LR doesn't flatten the rest
        double top = Double.isFinite(lo) ? Math.min(hi, lo * 1.35) + 0.02 * lo : 1;
        boolean val = rankedOn != null && rankedOn.contains("validation");
        NumberAxis y = Charts.linear(val ? "final validation loss" : "smoothed final loss", false);
        if (Double.isFinite(lo)) {
            y.setRange(lo * 0.98, top);
        }
        CombinedRangeXYPlot plot = new CombinedRangeXYPlot(y);
        plot.setGap(12);
        List<Figure.Series> data = new ArrayList<>();
        int runs = 0;
        for (String f : families) {
            List<ReportModel.Point> ps = byFamily.get(f);
            runs += ps.size();
            XYSeriesCollection ds = new XYSeriesCollection();
            XYSeries div = new XYSeries((families.size() > 1 ? names.get(f) + " " : "") + "diverged", true, true);
            // curves in scale order (width, depth, N, D), not in the string order of their labels
            Map<String, List<ReportModel.Point>> curves = ps.stream().sorted(java.util.Comparator
                    .comparingDouble(ReportModel.Point::width).thenComparingDouble(ReportModel.Point::depth)
                    .thenComparingDouble(ReportModel.Point::n).thenComparingDouble(ReportModel.Point::d))
                    .collect(Collectors.groupingBy(p -> curveKey(p, ps), java.util.LinkedHashMap::new, Collectors.toList()));
            for (var c : curves.entrySet()) {
                TreeMap<Double, Double> best = new TreeMap<>();
                for (ReportModel.Point p : c.getValue()) {
                    if (!p.diverged() && Double.isFinite(p.loss())) {
                        best.merge(p.lr(), p.loss(), Math::min);
                    }
                }
                XYSeries s = new XYSeries((families.size() > 1 ? names.get(f) + " " : "") + c.getKey(), true, false);
                best.forEach(s::add);
                ds.addSeries(s);
                data.add(Figure.Series.of(s.getKey().toString(), best.keySet().stream().mapToDouble(v -> v).toArray(),
                        best.values().stream().mapToDouble(v -> v).toArray()));
                for (ReportModel.Point p : c.getValue()) {
                    if (p.diverged() && !best.containsKey(p.lr())) {
                        div.addOrUpdate(p.lr(), top);
                    }
                }
            }
            XYLineAndShapeRenderer r = Charts.lines(true);
            for (int i = 0; i < ds.getSeriesCount(); i++) {
                r.setSeriesPaint(i, Charts.color(i));
                r.setSeriesShape(i, ShapeUtils.createDiamond(3.5f));
            }
            if (div.getItemCount() > 0) {
                int i = ds.getSeriesCount();
                ds.addSeries(div);
                r.setSeriesPaint(i, Charts.DIVERGED);
                r.setSeriesLinesVisible(i, false);
                r.setSeriesShape(i, ShapeUtils.createDiagonalCross(4f, 0.8f));
                r.setSeriesStroke(i, new BasicStroke(1f));
                data.add(Figure.Series.of(div));
            }
            XYPlot sub = new XYPlot(ds, Charts.log("peak LR  (" + names.get(f) + ")"), null, r);
            Charts.style(sub);
            plot.add(sub, 1);
        }
        plot.setBackgroundPaint(Color.WHITE);
        String title = "Loss against peak LR";
        String caption = (val ? "Final validation cross-entropy (what the fit ranked runs on)"
                : "Smoothed final train loss (Step Law's Gaussian filter over the logged loss)") + " against peak LR, "
                + "one curve per width, depth or budget, from " + runs + " runs in " + families.size() + " famil"
                + (families.size() == 1 ? "y" : "ies") + ". Where several batch sizes were run, each LR shows its best. "
                + "Grey crosses on the top edge: LRs whose every run diverged. Under good transfer the optima line up "
                + "across widths.";
        return new Figure(id, SECTION, title, caption, Charts.chart(title, plot, true), 360 * families.size() + 260, 420, data);
    }

    /** The curve a run belongs to within its family: whichever of width, depth and budget vary. */
    private static String curveKey(ReportModel.Point p, List<ReportModel.Point> family) {
        boolean widths = family.stream().mapToDouble(ReportModel.Point::width).distinct().count() > 1;
        boolean depths = family.stream().mapToDouble(ReportModel.Point::depth).distinct().count() > 1;
        boolean budgets = family.stream().map(q -> q.width() + "/" + q.depth() + "/" + q.n()).distinct().count()
                < family.stream().map(q -> q.cell()).distinct().count();
        List<String> parts = new ArrayList<>();
        if (widths && Double.isFinite(p.width())) {
            parts.add(String.format("d=%4d", (long) p.width()));
        }
        if (depths && Double.isFinite(p.depth())) {
            parts.add(String.format("L=%2d", (long) p.depth()));
        }
        if (parts.isEmpty() || !(Double.isFinite(p.width()) || Double.isFinite(p.depth()))) {
            parts.add("N=" + Charts.fmt(p.n()));
        }
        if (budgets) {
            parts.add("D=" + Charts.fmt(p.d()));
        }
        return String.join(" ", parts);
    }
}
