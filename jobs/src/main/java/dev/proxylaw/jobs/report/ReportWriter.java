package dev.proxylaw.jobs.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxylaw.analysis.report.Figure;
import dev.proxylaw.analysis.report.Figures;
import dev.proxylaw.analysis.report.ReportModel;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.svg.SVGGraphics2D;

/**
 * Writes DIR/report/: index.html, and per figure a PNG (drawn at twice its size for sharp screens), an SVG
 * and a JSON file with the drawn numbers. Everything goes to a temporary directory first and replaces the
 * previous report in one rename, so a failed report never leaves a half-written page.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static Path write(String reportDir, ReportModel model, Figures figures, Map<String, Object> summary,
                             List<Map<String, Object>> laws, Configuration conf) throws IOException {
        Path dest = new Path(reportDir);
        FileSystem fs = dest.getFileSystem(conf);
        Path tmp = new Path(dest.getParent(), "_" + dest.getName() + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(new Path(tmp, "figures"));
            for (Figure f : figures.drawn()) {
                try (OutputStream o = fs.create(new Path(tmp, "figures/" + f.id() + ".png"))) {
                    ChartUtils.writeScaledChartAsPNG(o, f.chart(), f.width(), f.height(), 2, 2);
                }
                SVGGraphics2D g = new SVGGraphics2D(f.width(), f.height());
                f.chart().draw(g, new Rectangle(0, 0, f.width(), f.height()));
                text(fs, new Path(tmp, "figures/" + f.id() + ".svg"), g.getSVGDocument());
                text(fs, new Path(tmp, "figures/" + f.id() + ".json"), new ObjectMapper().writerWithDefaultPrettyPrinter()
                        .writeValueAsString(json(f)));
            }
            text(fs, new Path(tmp, "index.html"), Html.page(model, figures, summary, laws));
            Path old = new Path(dest.getParent(), "_" + dest.getName() + ".old-" + UUID.randomUUID());
            boolean had = fs.exists(dest);
            if (had && !fs.rename(dest, old)) {
                throw new IOException("Cannot replace " + dest + ": renaming the previous report aside failed.");
            }
            if (!fs.rename(tmp, dest)) {
                throw new IOException("Cannot move the new report into " + dest + ".");
            }
            if (had) {
                fs.delete(old, true);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, true);
            }
        }
        return new Path(dest, "index.html");
    }

    private static Map<String, Object> json(Figure f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", f.id());
        m.put("title", f.title());
        m.put("caption", f.caption());
        List<Map<String, Object>> series = new ArrayList<>();
        for (Figure.Series s : f.data()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", s.name());
            x.put("x", list(s.x()));
            x.put("y", list(s.y()));
            if (s.lo().length > 0) {
                x.put("lo", list(s.lo()));
                x.put("hi", list(s.hi()));
            }
            series.add(x);
        }
        m.put("series", series);
        return m;
    }

    /** JSON has no NaN: a value the figure does not have is null. */
    private static List<Double> list(double[] v) {
        List<Double> out = new ArrayList<>(v.length);
        for (double d : v) {
            out.add(Double.isFinite(d) ? d : null);
        }
        return out;
    }

    private static void text(FileSystem fs, Path p, String s) throws IOException {
        try (OutputStream o = fs.create(p, false)) {
            o.write(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
