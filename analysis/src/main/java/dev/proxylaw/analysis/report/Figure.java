package dev.proxylaw.analysis.report;

import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * One figure of the report: the chart, its caption (what was fitted, from how many runs) and the numbers
 * it draws, which the report writes beside the image so a reader can check or re-plot them.
 */
public record Figure(String id, String section, String title, String caption, JFreeChart chart, int width, int height,
                     List<Series> data) {
    public Figure {
        data = List.copyOf(data);
    }

    /** Drawn values of one series; lo and hi are empty unless the series is a band. */
    public record Series(String name, double[] x, double[] y, double[] lo, double[] hi) {
        public static Series of(String name, double[] x, double[] y) {
            return new Series(name, x, y, new double[0], new double[0]);
        }

        /** The points of a chart series, under its legend name. */
        public static Series of(org.jfree.data.xy.XYSeries s) {
            double[] x = new double[s.getItemCount()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = s.getX(i).doubleValue();
                y[i] = s.getY(i).doubleValue();
            }
            return of(s.getKey().toString(), x, y);
        }
    }

    /** A figure that could not be drawn from this dataset, and what the sweep would need for it. */
    public record Skipped(String id, String section, String title, String reason) {
    }
}
