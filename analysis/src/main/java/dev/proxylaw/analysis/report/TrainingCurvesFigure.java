package dev.proxylaw.analysis.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Train loss against step for the curves the report job picked, one figure per group. */
final class TrainingCurvesFigure {
    static final String SECTION = "Training curves";

    private TrainingCurvesFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        if (m.curves().isEmpty()) {
            out.skip("training_curves", SECTION, "Training curves", "the dataset has no steps/ (a fitted results table)");
            return;
        }
        Map<String, List<ReportModel.Curve>> groups = new LinkedHashMap<>();
        m.curves().forEach(c -> groups.computeIfAbsent(c.group(), g -> new ArrayList<>()).add(c));
        int k = 0;
        for (var g : groups.entrySet()) {
            out.add(figure(k++ == 0 ? "training_curves" : "training_curves_" + k, g.getKey(), g.getValue()));
        }
    }

    private static Figure figure(String id, String group, List<ReportModel.Curve> curves) {
        XYSeriesCollection ds = new XYSeriesCollection();
        List<Figure.Series> data = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double first = Double.NEGATIVE_INFINITY;
        Map<String, Integer> seen = new java.util.HashMap<>();
        for (ReportModel.Curve c : curves) {
            String key = c.label() + (c.status().equals("COMPLETED") ? "" : " (" + c.status() + ")");
            int n = seen.merge(key, 1, Integer::sum);   // runs that differ only in seed or batch share a label
            XYSeries s = new XYSeries(n == 1 ? key : key + " #" + n, true, true);
            for (int i = 0; i < c.step().length; i++) {
                if (Double.isFinite(c.loss()[i])) {
                    s.add(c.step()[i], c.loss()[i]);
                    lo = Math.min(lo, c.loss()[i]);
                }
            }
            if (c.loss().length > 0 && Double.isFinite(c.loss()[0])) {
                first = Math.max(first, c.loss()[0]);
            }
            ds.addSeries(s);
            data.add(new Figure.Series(s.getKey().toString(), c.step(), c.loss(), new double[0], new double[0]));
        }
        XYLineAndShapeRenderer r = Charts.lines(false);
        for (int i = 0; i < ds.getSeriesCount(); i++) {
            r.setSeriesPaint(i, curves.get(i).status().equals("COMPLETED") ? Charts.color(i) : Charts.DIVERGED);
        }
        NumberAxis y = Charts.linear("train loss", false);
        if (Double.isFinite(lo) && Double.isFinite(first) && first > lo) {
            y.setRange(lo - 0.02 * (first - lo), first);   // from the start to the best: the part people read
        }
        XYPlot plot = Charts.plot(ds, Charts.linear("step", true), y, r);
        String title = "Training curves: " + group;
        String caption = String.format("Train loss (as logged, unsmoothed) against step for %d run%s, %s. Curves are "
                + "thinned to at most a few hundred points each; grey: runs that did not complete.", curves.size(),
                curves.size() == 1 ? "" : "s", group);
        return new Figure(id, SECTION, title, caption, Charts.chart(title, plot, true), 760, 420, data);
    }
}
