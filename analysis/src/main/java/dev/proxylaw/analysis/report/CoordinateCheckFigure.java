package dev.proxylaw.analysis.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The coordinate check (science.md section 5): mean |activation| over layers at steps 1..10 against width
 * (or depth), one panel per parameterization. Flat lines mean the parameterization keeps activations
 * scale-free; lines that climb with width are SP's blow-up.
 */
final class CoordinateCheckFigure {
    static final String SECTION = "Transfer";

    private CoordinateCheckFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        List<ReportModel.Activation> acts = m.activations();
        boolean widths = acts.stream().mapToDouble(ReportModel.Activation::width).distinct().count() >= 2;
        boolean depths = acts.stream().mapToDouble(ReportModel.Activation::depth).distinct().count() >= 2;
        if (!widths && !depths) {
            out.skip("coordinate_check", SECTION, "Coordinate check", acts.isEmpty()
                    ? "the dataset has no per-step activations (a results table, or steps/ without act_abs_mean)"
                    : "the sweep has one width and one depth; the check compares activations across widths or depths");
            return;
        }
        String axis = widths ? "width d_model" : "depth n_layers";
        Map<String, List<ReportModel.Activation>> byParam = acts.stream().collect(Collectors.groupingBy(
                ReportModel.Activation::param, TreeMap::new, Collectors.toList()));
        CombinedRangeXYPlot plot = new CombinedRangeXYPlot(Charts.log("mean |activation| over layers"));
        plot.setGap(12);
        List<Figure.Series> data = new ArrayList<>();
        int runs = 0;
        for (var e : byParam.entrySet()) {
            List<ReportModel.Activation> a = e.getValue();
            double lr = commonLr(a, widths);
            XYSeriesCollection ds = new XYSeriesCollection();
            Map<Integer, XYSeries> bySteps = new TreeMap<>();
            for (ReportModel.Activation x : a) {
                if (x.lr() == lr && Double.isFinite(x.meanAbs()) && x.meanAbs() > 0) {
                    bySteps.computeIfAbsent(x.step(), s -> new XYSeries(e.getKey() + " step " + s, true, true))
                            .add(widths ? x.width() : x.depth(), x.meanAbs());
                }
            }
            runs += (int) a.stream().filter(x -> x.lr() == lr).map(x -> x.width() + "/" + x.depth()).distinct().count();
            XYLineAndShapeRenderer r = Charts.lines(true);
            int i = 0;
            for (XYSeries s : bySteps.values()) {
                ds.addSeries(s);
                float t = bySteps.size() == 1 ? 0 : (float) i / (bySteps.size() - 1);
                r.setSeriesPaint(i, new Color(0.1f + 0.8f * t, 0.3f, 0.9f - 0.8f * t));
                r.setSeriesVisibleInLegend(i, i == 0 || i == bySteps.size() - 1);
                i++;
                data.add(Figure.Series.of(s));
            }
            XYPlot sub = new XYPlot(ds, Charts.log(axis + "  (" + e.getKey() + ", lr " + Charts.fmt(lr) + ")"), null, r);
            Charts.style(sub);
            plot.add(sub, 1);
        }
        plot.setBackgroundPaint(Color.WHITE);
        String title = "Coordinate check";
        String caption = String.format("Mean |activation| (the trainer's act_abs_mean, averaged over layers) at each of the "
                + "first logged steps up to 10 against %s, one panel per parameterization, each at the LR run at the "
                + "most %ss (%d runs). Blue: step 1, red: the last step shown. Under muP (width) or CompleteP (depth) "
                + "the lines stay flat; under SP they climb with width.", axis, widths ? "width" : "depth", runs);
        out.add(new Figure("coordinate_check", SECTION, title, caption, Charts.chart(title, plot, true),
                330 * byParam.size() + 240, 400, data));
    }

    /** The LR run at the most scales, the middle one on ties: the check compares like with like. */
    private static double commonLr(List<ReportModel.Activation> a, boolean widths) {
        Map<Double, Long> scalesPerLr = a.stream().collect(Collectors.groupingBy(ReportModel.Activation::lr,
                TreeMap::new, Collectors.mapping(x -> widths ? x.width() : x.depth(), Collectors.collectingAndThen(
                        Collectors.toSet(), s -> (long) s.size()))));
        long most = scalesPerLr.values().stream().max(Comparator.naturalOrder()).orElse(0L);
        List<Double> tied = scalesPerLr.entrySet().stream().filter(e -> e.getValue() == most).map(Map.Entry::getKey).toList();
        return tied.get(tied.size() / 2);
    }
}
