package dev.proxylaw.analysis.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;

/** Sweep health: how each shape's runs ended, and when each attempt ran. */
final class HealthFigure {
    static final String SECTION = "Sweep health";
    private static final String[] STATUSES = {"COMPLETED", "DIVERGED", "FAILED"};
    private static final Color[] COLORS = {Charts.color(2), Charts.DIVERGED, Charts.FAILED};
    private static final int MAX_BARS = 40;

    private HealthFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        if (m.runs().isEmpty()) {
            out.skip("health_status", SECTION, "Status per shape", "the dataset has no runs/ (a fitted results table)");
            out.skip("health_timeline", SECTION, "Timeline of runs", "the dataset has no runs/ (a fitted results table)");
            return;
        }
        out.add(status(m.runs()));
        out.add(timeline(m.runs()));
    }

    private static Figure status(List<ReportModel.Run> runs) {
        Map<String, int[]> byShape = new TreeMap<>();
        for (ReportModel.Run r : runs) {
            int i = List.of(STATUSES).indexOf(r.status());
            byShape.computeIfAbsent(r.shape(), s -> new int[3])[Math.max(0, i)]++;
        }
        boolean grouped = byShape.size() > MAX_BARS;
        if (grouped) {   // too many shapes for one chart: fold them by their first word (the parameterization)
            Map<String, int[]> folded = new TreeMap<>();
            byShape.forEach((k, v) -> {
                int[] f = folded.computeIfAbsent(k.split(" ")[0], s -> new int[3]);
                for (int i = 0; i < 3; i++) {
                    f[i] += v[i];
                }
            });
            byShape = folded;
        }
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        List<Figure.Series> data = new ArrayList<>();
        List<String> shapes = new ArrayList<>(byShape.keySet());
        for (int s = 0; s < 3; s++) {
            double[] x = new double[shapes.size()];
            double[] y = new double[shapes.size()];
            for (int i = 0; i < shapes.size(); i++) {
                ds.addValue(byShape.get(shapes.get(i))[s], STATUSES[s], shapes.get(i));
                x[i] = i;
                y[i] = byShape.get(shapes.get(i))[s];
            }
            data.add(Figure.Series.of(STATUSES[s] + " attempts per shape (x = index in " + shapes + ")", x, y));
        }
        StackedBarRenderer r = new StackedBarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        for (int s = 0; s < 3; s++) {
            r.setSeriesPaint(s, COLORS[s]);
        }
        CategoryPlot plot = new CategoryPlot(ds, new CategoryAxis(null), new NumberAxis("attempts"), r);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        Charts.style(plot);
        plot.setRangeGridlinePaint(new Color(0xE0E0E0));
        String title = "Status per shape";
        long failed = runs.stream().filter(x -> x.status().equals("FAILED")).count();
        long diverged = runs.stream().filter(x -> x.status().equals("DIVERGED")).count();
        String caption = String.format("How each attempt in runs/ ended, per shape (every setting but the LR%s): %d "
                + "attempts, %d diverged (a result: the edge of the LR basin), %d failed (crashes, retried by the sweep).",
                grouped ? "; folded by parameterization, there being more than " + MAX_BARS + " shapes" : "",
                runs.size(), diverged, failed);
        JFreeChart chart = Charts.chart(title, plot, true);
        return new Figure("health_status", SECTION, title, caption, chart, 760, Math.max(260, 90 + 22 * shapes.size()), data);
    }

    private static Figure timeline(List<ReportModel.Run> runs) {
        List<ReportModel.Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(ReportModel.Run::startS));
        XYIntervalSeriesCollection ds = new XYIntervalSeriesCollection();
        XYIntervalSeries[] series = new XYIntervalSeries[3];
        List<List<double[]>> rows = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            series[s] = new XYIntervalSeries(STATUSES[s]);
            ds.addSeries(series[s]);
            rows.add(new ArrayList<>());
        }
        for (int i = 0; i < sorted.size(); i++) {
            ReportModel.Run r = sorted.get(i);
            int s = Math.max(0, List.of(STATUSES).indexOf(r.status()));
            series[s].add(r.startS(), r.startS(), r.endS(), i, i - 0.4, i + 0.4);
            rows.get(s).add(new double[] {r.startS(), r.endS()});
        }
        List<Figure.Series> data = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            data.add(new Figure.Series(STATUSES[s] + " (x = start s, y = end s)", rows.get(s).stream().mapToDouble(v -> v[0]).toArray(),
                    rows.get(s).stream().mapToDouble(v -> v[1]).toArray(), new double[0], new double[0]));
        }
        XYBarRenderer r = new XYBarRenderer();
        r.setUseYInterval(true);
        r.setBarPainter(new StandardXYBarPainter());
        r.setShadowVisible(false);
        for (int s = 0; s < 3; s++) {
            r.setSeriesPaint(s, COLORS[s]);
        }
        NumberAxis y = Charts.linear("attempt, in order of start", false);
        y.setInverted(true);
        double span = sorted.stream().mapToDouble(ReportModel.Run::endS).max().orElse(0);
        String title = "Timeline of runs";
        String caption = String.format("When each attempt ran (start = finish minus its wall time), %d attempts over %.0f s of "
                + "wall clock. Parallel bars show the executors' slots at work; gaps are scheduling or session start.",
                sorted.size(), span);
        return new Figure("health_timeline", SECTION, title, caption,
                Charts.chart(title, Charts.plot(ds, Charts.linear("seconds since the first start", true), y, r), true),
                760, Math.max(260, Math.min(900, 120 + 6 * sorted.size())), data);
    }
}
