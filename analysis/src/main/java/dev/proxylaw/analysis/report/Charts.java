package dev.proxylaw.analysis.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYDataset;

/** The report's one look: white plots, light grid, a colour-blind-safe palette, log axes that read 1e-3. */
public final class Charts {
    /** Okabe-Ito, then darker variants: distinguishable for common colour-vision deficiencies. */
    private static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
        new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442),
        new Color(0x004C7A), new Color(0x8F3F00), new Color(0x00664A), new Color(0x88506F)};
    public static final Color DIVERGED = new Color(0x999999);
    public static final Color FAILED = new Color(0xC00000);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    static final Font SUBPLOT = new Font(Font.SANS_SERIF, Font.BOLD, 12);

    private Charts() {
    }

    public static Color color(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** A base-10 log axis whose ticks read like 3e-04 or 1e+06, the way LRs and sizes are written. */
    public static LogAxis log(String label) {
        LogAxis a = new LogAxis(label);
        a.setBase(10);
        a.setSmallestValue(1e-300);
        a.setNumberFormatOverride(new Compact());
        a.setMinorTickMarksVisible(true);
        return a;
    }

    public static NumberAxis linear(String label, boolean includeZero) {
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(includeZero);
        return a;
    }

    public static XYLineAndShapeRenderer lines(boolean shapes) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, shapes);
        r.setDefaultStroke(new BasicStroke(1.6f));
        r.setAutoPopulateSeriesStroke(false);
        return r;
    }

    public static XYPlot plot(XYDataset data, ValueAxis x, ValueAxis y, XYItemRenderer r) {
        XYPlot p = new XYPlot(data, x, y, r);
        style(p);
        return p;
    }

    static void style(Plot p) {
        p.setBackgroundPaint(Color.WHITE);
        p.setOutlinePaint(new Color(0xBBBBBB));
        if (p instanceof XYPlot xy) {
            Paint grid = new Color(0xE0E0E0);
            xy.setDomainGridlinePaint(grid);
            xy.setRangeGridlinePaint(grid);
        }
    }

    public static JFreeChart chart(String title, Plot p, boolean legend) {
        JFreeChart c = new JFreeChart(title, TITLE, p, legend);
        c.setBackgroundPaint(Color.WHITE);
        c.setAntiAlias(true);
        c.setTextAntiAlias(true);
        LegendTitle l = c.getLegend();
        if (l != null) {
            l.setPosition(RectangleEdge.RIGHT);
            l.setFrame(org.jfree.chart.block.BlockBorder.NONE);
        }
        return c;
    }

    /** Tick labels the way the numbers are written: 32, 0.003, 1e-04, 2.5e+08. */
    static final class Compact extends java.text.NumberFormat {
        @Override
        public StringBuffer format(double v, StringBuffer b, java.text.FieldPosition pos) {
            double a = Math.abs(v);
            if (a >= 1e-2 && a < 1e5) {
                return b.append(new DecimalFormat("0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(v));
            }
            return b.append(String.format(Locale.ROOT, "%.2g", v).replace("e-0", "e-").replace("e+0", "e+"));
        }

        @Override
        public StringBuffer format(long v, StringBuffer b, java.text.FieldPosition pos) {
            return format((double) v, b, pos);
        }

        @Override
        public Number parse(String s, java.text.ParsePosition pos) {
            throw new UnsupportedOperationException("tick labels are only written");
        }
    }

    /** Short numbers for labels: 3e-03, 1.2e+07, 64. */
    public static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e5) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }

    /** Human-sized numbers for captions: 1,000, 3.4e7. */
    public static String count(double v) {
        return Math.abs(v) < 1e6 && v == Math.rint(v) ? String.format(Locale.ROOT, "%,d", (long) v)
                : String.format(Locale.ROOT, "%.3g", v);
    }
}
