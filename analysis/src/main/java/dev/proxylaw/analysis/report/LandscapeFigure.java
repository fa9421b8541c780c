package dev.proxylaw.analysis.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYShapeAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * The LR x batch landscape of each (N, D) cell: smoothed loss above the cell's best, in percent, with the
 * near-optimal set (Step Law's band) outlined in white and the refined optimum marked by a red square.
 */
final class LandscapeFigure {
    static final String SECTION = "Landscape";
    private static final int MAX_CELLS = 9;
    /** Loss excess (percent) at which the colour saturates: past it a run is simply "far off". */
    private static final double CAP_PERCENT = 5;

    private LandscapeFigure() {
    }

    static void draw(ReportModel m, Figures out) {
        Map<String, List<ReportModel.Point>> byCell = m.points().stream().collect(Collectors.groupingBy(
                ReportModel.Point::cell, TreeMap::new, Collectors.toList()));
        byCell.values().removeIf(ps -> ps.stream().mapToDouble(ReportModel.Point::lr).distinct().count() < 2
                || ps.stream().mapToDouble(ReportModel.Point::batchTokens).distinct().count() < 2);
        if (byCell.isEmpty()) {
            out.skip("landscape", SECTION, "LR x batch landscape", m.points().isEmpty()
                    ? "no fit yet: run ./proxylaw fit on the sweep"
                    : "no cell was swept over both LR and batch size (conf/sweeps/studies/steplaw.yaml does)");
            return;
        }
        Map<String, ReportModel.Cell> cells = m.cells().stream().collect(Collectors.toMap(ReportModel.Cell::cell, c -> c));
        List<String> keys = new ArrayList<>(byCell.keySet());
        keys.sort((a, b) -> {   // smallest to largest scale, then spread the choice evenly over them
            ReportModel.Point pa = byCell.get(a).get(0);
            ReportModel.Point pb = byCell.get(b).get(0);
            return pa.n() != pb.n() ? Double.compare(pa.n(), pb.n()) : Double.compare(pa.d(), pb.d());
        });
        int shown = Math.min(MAX_CELLS, keys.size());
        Map<String, String> names = Families.shortNames(byCell.values().stream().map(ps -> ps.get(0).family()).toList());
        for (int i = 0; i < shown; i++) {
            String key = keys.get(shown == keys.size() ? i : (int) Math.round(i * (keys.size() - 1.0) / (shown - 1)));
            out.add(figure("landscape_" + (i + 1), byCell.get(key), cells.get(key), names, keys.size(), shown));
        }
    }

    private static Figure figure(String id, List<ReportModel.Point> ps, ReportModel.Cell cell, Map<String, String> names,
                                 int totalCells, int shown) {
        double[] lrs = ps.stream().mapToDouble(ReportModel.Point::lr).distinct().sorted().toArray();
        double[] batches = ps.stream().mapToDouble(ReportModel.Point::batchTokens).distinct().sorted().toArray();
        double best = ps.stream().filter(p -> !p.diverged()).mapToDouble(ReportModel.Point::loss).min().orElse(Double.NaN);
        // one block per (lr, batch): the best run there (seeds), -1 when all diverged
        TreeMap<String, Double> z = new TreeMap<>();
        for (ReportModel.Point p : ps) {
            double v = p.diverged() || !Double.isFinite(p.loss()) ? -1 : 100 * (p.loss() / best - 1);
            z.merge(index(lrs, p.lr()) + "," + index(batches, p.batchTokens()), v, (a, b) -> a < 0 ? b : b < 0 ? a : Math.min(a, b));
        }
        double[][] xyz = new double[3][z.size()];
        int k = 0;
        for (var e : z.entrySet()) {
            String[] ij = e.getKey().split(",");
            xyz[0][k] = Integer.parseInt(ij[0]);
            xyz[1][k] = Integer.parseInt(ij[1]);
            xyz[2][k] = e.getValue();
            k++;
        }
        DefaultXYZDataset ds = new DefaultXYZDataset();
        ds.addSeries("loss above best (%)", xyz);
        XYBlockRenderer r = new XYBlockRenderer();
        PaintScale scale = new Viridis(CAP_PERCENT);
        r.setPaintScale(scale);
        SymbolAxis x = new SymbolAxis("peak LR", labels(lrs));
        SymbolAxis y = new SymbolAxis("batch (tokens)", labels(batches));
        x.setGridBandsVisible(false);
        y.setGridBandsVisible(false);
        XYPlot plot = Charts.plot(ds, x, y, r);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        List<double[]> near = new ArrayList<>();
        for (ReportModel.Point p : ps) {
            if (p.nearOptimal()) {
                double i = index(lrs, p.lr());
                double j = index(batches, p.batchTokens());
                plot.addAnnotation(new XYShapeAnnotation(new Rectangle2D.Double(i - 0.46, j - 0.46, 0.92, 0.92),
                        new BasicStroke(p.best() ? 3f : 1.6f), p.best() ? Color.BLACK : Color.WHITE));
                near.add(new double[] {p.lr(), p.batchTokens()});
            }
        }
        List<Figure.Series> data = new ArrayList<>();
        for (int j = 0; j < batches.length; j++) {
            double[] loss = new double[lrs.length];
            for (int i = 0; i < lrs.length; i++) {
                double v = z.getOrDefault(i + "," + j, Double.NaN);
                loss[i] = v < 0 ? Double.NaN : best * (1 + v / 100);
            }
            data.add(Figure.Series.of("loss at batch_tokens=" + Charts.fmt(batches[j]), lrs, loss));
        }
        data.add(Figure.Series.of("near-optimal (lr, batch_tokens)", near.stream().mapToDouble(v -> v[0]).toArray(),
                near.stream().mapToDouble(v -> v[1]).toArray()));
        String opt = "";
        if (cell != null && Double.isFinite(cell.lrOpt()) && Double.isFinite(cell.batchTokensOpt())) {
            double i = fractionalIndex(lrs, cell.lrOpt());
            double j = fractionalIndex(batches, cell.batchTokensOpt());
            plot.addAnnotation(new XYShapeAnnotation(new Rectangle2D.Double(i - 0.12, j - 0.12, 0.24, 0.24),
                    new BasicStroke(2.5f), Color.RED));
            data.add(Figure.Series.of("optimum (lr_opt, batch_tokens_opt)", new double[] {cell.lrOpt()},
                    new double[] {cell.batchTokensOpt()}));
            opt = String.format(" Red square: the optimum, lr_opt = %.3g (parabola in log LR%s), batch = %s tokens.",
                    cell.lrOpt(), cell.edge() ? "; the best LR sits on the grid's edge" : "", Charts.count(cell.batchTokensOpt()));
        }
        ReportModel.Point first = ps.get(0);
        String fam = names.size() > 1 ? names.get(first.family()) + ", " : "";
        String title = fam + "N = " + Charts.fmt(first.n()) + ", D = " + Charts.fmt(first.d());
        JFreeChart chart = Charts.chart(title, plot, false);
        NumberAxis legendAxis = new NumberAxis("loss above best (%)");
        legendAxis.setRange(0, CAP_PERCENT);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 4, 4);
        legend.setStripWidth(12);
        chart.addSubtitle(legend);
        String caption = String.format("Smoothed final loss over LR x batch at N = %s, D = %s: %d runs, colour = percent "
                + "above the cell's best (%.4f), saturating at %.0f%%; grey: every run there diverged. White outlines: the "
                + "near-optimal set (within the fit's band), black outline: the best run.%s %s",
                Charts.count(first.n()), Charts.count(first.d()), ps.size(), best, CAP_PERCENT, opt,
                shown < totalCells ? "One of " + shown + " cells shown out of " + totalCells + "." : "");
        return new Figure(id, SECTION, title, caption, chart, 470, 380, data);
    }

    private static int index(double[] sorted, double v) {
        return java.util.Arrays.binarySearch(sorted, v);
    }

    /** Where v falls between grid values, in log space, as a fractional block index. */
    private static double fractionalIndex(double[] sorted, double v) {
        if (sorted.length == 1 || v <= sorted[0]) {
            return v < sorted[0] ? -0.5 : 0;
        }
        for (int i = 1; i < sorted.length; i++) {
            if (v <= sorted[i]) {
                return i - 1 + Math.log(v / sorted[i - 1]) / Math.log(sorted[i] / sorted[i - 1]);
            }
        }
        return sorted.length - 0.5;
    }

    private static String[] labels(double[] v) {
        String[] s = new String[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = Charts.fmt(v[i]);
        }
        return s;
    }

    /** A viridis ramp from 0 to cap; negative values (all diverged) are grey. */
    private record Viridis(double cap) implements PaintScale, java.io.Serializable {
        private static final int[] STOPS = {0x440154, 0x3B528B, 0x21908C, 0x5DC863, 0xFDE725};

        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return cap;
        }

        @Override
        public Paint getPaint(double v) {
            if (v < 0 || Double.isNaN(v)) {
                return Charts.DIVERGED;
            }
            double t = Math.min(1, v / cap) * (STOPS.length - 1);
            int i = Math.min(STOPS.length - 2, (int) t);
            double f = t - i;
            Color a = new Color(STOPS[i]);
            Color b = new Color(STOPS[i + 1]);
            return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                    (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
        }
    }
}
