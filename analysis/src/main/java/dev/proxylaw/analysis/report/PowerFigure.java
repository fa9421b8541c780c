package dev.proxylaw.analysis.report;

import java.awt.BasicStroke;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The Power scheduler's law: eta_opt / B (sequences) against D per model size, with the pooled a * D^b. */
final class PowerFigure {
    static final String SECTION = "Power scheduler";

    private PowerFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        if (m.powers().isEmpty()) {
            out.skip("power", SECTION, "Power scheduler: eta_opt / B against D", m.cells().isEmpty()
                    ? "no fit yet: run ./proxylaw fit on the sweep"
                    : "no family spans two or more token budgets with a known sequence length (conf/sweeps/studies/power.yaml does)");
            return;
        }
        int k = 0;
        Map<String, String> names = Families.shortNames(m.powers().stream().map(ReportModel.Power::family).toList());
        for (ReportModel.Power p : m.powers()) {
            out.add(figure(k++ == 0 ? "power" : "power_" + k, p, m.cells(), m.powers().size() > 1 ? " (" + names.get(p.family()) + ")" : ""));
        }
    }

    private static Figure figure(String id, ReportModel.Power p, List<ReportModel.Cell> all, String fam) {
        Map<Double, XYSeries> bySize = new TreeMap<>();
        double dLo = Double.POSITIVE_INFINITY;
        double dHi = 0;
        int cells = 0;
        for (ReportModel.Cell c : all) {
            if (!c.family().equals(p.family()) || c.allDiverged() || c.edge() || !Double.isFinite(c.seqLen())
                    || !Double.isFinite(c.lrOpt()) || !Double.isFinite(c.batchTokensOpt())) {
                continue;
            }
            double ratio = c.lrOpt() / (c.batchTokensOpt() / c.seqLen());
            bySize.computeIfAbsent(c.n(), n -> new XYSeries("optima at N=" + Charts.fmt(n), true, true)).add(c.d(), ratio);
            dLo = Math.min(dLo, c.d());
            dHi = Math.max(dHi, c.d());
            cells++;
        }
        XYSeriesCollection ds = new XYSeriesCollection();
        List<Figure.Series> data = new ArrayList<>();
        for (XYSeries s : bySize.values()) {
            ds.addSeries(s);
            data.add(Figure.Series.of(s));
        }
        XYSeries fit = new XYSeries("pooled fit a D^b", true, false);
        double lo = dLo / 1.5;
        double hi = dHi * 1.5;
        for (int i = 0; i < 30; i++) {
            double d = lo * Math.pow(hi / lo, i / 29.0);
            fit.add(d, Math.exp(p.lnA().point() + p.b().point() * Math.log(d)));
        }
        ds.addSeries(fit);
        data.add(Figure.Series.of(fit));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        for (int i = 0; i < bySize.size(); i++) {
            r.setSeriesPaint(i, Charts.color(i + 1));
        }
        int f = bySize.size();
        r.setSeriesPaint(f, Charts.color(0));
        r.setSeriesLinesVisible(f, true);
        r.setSeriesShapesVisible(f, false);
        r.setSeriesStroke(f, new BasicStroke(2f));
        XYPlot plot = Charts.plot(ds, Charts.log("D (training tokens)"), Charts.log("eta_opt / B (batch in sequences)"), r);
        String title = "Power scheduler: eta_opt / B against D" + fam;
        String caption = String.format("Each cell's optimal LR divided by its batch in sequences, against D, one colour per "
                + "model size (%d cells, edge and all-diverged cells left out). Line: ln(eta/B) = ln a + b ln D pooled "
                + "over sizes, ln a = %s, b = %s (95%% bootstrap intervals); per-size fits %s.", cells,
                StepLawFigure.iv(p.lnA()), StepLawFigure.iv(p.b()), p.sizesAgree() ? "agree (intervals overlap)"
                        : "disagree: the constants are not size-independent here");
        return new Figure(id, SECTION, title, caption, Charts.chart(title, plot, true), 640, 430, data);
    }
}
