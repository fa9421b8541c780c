package dev.proxylaw.analysis.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Wortsman et al.'s LR sensitivity against model size, one line per intervention (family). */
final class SensitivityFigure {
    static final String SECTION = "Stability";

    private SensitivityFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        Map<String, XYSeries> byFamily = new TreeMap<>();
        Map<String, String> names = Families.shortNames(m.cells().stream().map(ReportModel.Cell::family).toList());
        int cells = 0;
        for (ReportModel.Cell c : m.cells()) {
            if (Double.isFinite(c.lrSensitivity())) {
                byFamily.computeIfAbsent(c.family(), f -> new XYSeries(names.get(f), true, true)).add(c.n(), c.lrSensitivity());
                cells++;
            }
        }
        if (byFamily.isEmpty()) {
            out.skip("lr_sensitivity", SECTION, "LR sensitivity per intervention", m.cells().isEmpty()
                    ? "no fit yet: run ./proxylaw fit on the sweep"
                    : "no cell has an initial loss and a finite run (a results table carries no loss at init)");
            return;
        }
        XYSeriesCollection ds = new XYSeriesCollection();
        List<Figure.Series> data = new ArrayList<>();
        for (XYSeries s : byFamily.values()) {
            ds.addSeries(s);
            data.add(Figure.Series.of(s));
        }
        XYLineAndShapeRenderer r = Charts.lines(true);
        for (int i = 0; i < ds.getSeriesCount(); i++) {
            r.setSeriesPaint(i, Charts.color(i));
        }
        XYPlot plot = Charts.plot(ds, Charts.log("N (Step Law non-embedding parameters)"),
                Charts.linear("LR sensitivity (nats)", true), r);
        String title = "LR sensitivity per intervention";
        String caption = String.format("LR sensitivity (Wortsman et al.): the mean over the LR grid of min(L(eta), L0) - L*, "
                + "with L0 the loss at init and L* the best loss of the cell, diverged runs counted as L0; %d cells in "
                + "%d famil%s. Lower is more robust to the choice of LR; a line that stays flat as N grows marks an "
                + "intervention that keeps large models trainable over a wide LR range.", cells, byFamily.size(),
                byFamily.size() == 1 ? "y" : "ies");
        out.add(new Figure("lr_sensitivity", SECTION, title, caption, Charts.chart(title, plot, true), 680, 400, data));
    }
}
