package dev.proxylaw.jobs.report;

import dev.proxylaw.analysis.report.Families;
import dev.proxylaw.analysis.report.Figure;
import dev.proxylaw.analysis.report.Figures;
import dev.proxylaw.analysis.report.ReportModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The report page: a summary, the laws table, the figures by section with captions, what was not drawn and why. */
final class Html {
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:0 auto;max-width:1500px;padding:0 24px 48px;color:#222}
            h1{margin:24px 0 4px}h2{margin-top:36px;border-bottom:1px solid #ddd;padding-bottom:4px}
            nav a{margin-right:14px}table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
            td.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}
            .figs{display:flex;flex-wrap:wrap;gap:18px}figure{margin:0;max-width:100%}figure img{max-width:100%;height:auto;border:1px solid #eee}
            figcaption{font-size:13px;line-height:1.4;max-width:760px;margin-top:4px}.broken{color:#c00;font-weight:bold}
            """;
    /** Marks each figure once the page has loaded, so a broken image is visible to readers and to tests. */
    private static final String CHECK = """
            window.addEventListener('load', function () {
              document.querySelectorAll('figure img').forEach(function (img) {
                var ok = img.complete && img.naturalWidth > 0;
                img.closest('figure').setAttribute('data-loaded', ok ? 'yes' : 'no');
                if (!ok) img.insertAdjacentHTML('afterend', '<p class="broken">This figure failed to load: ' + img.getAttribute('src') + '</p>');
              });
              document.body.setAttribute('data-checked', 'yes');
            });
            """;

    private Html() {
    }

    static String page(ReportModel m, Figures figures, Map<String, Object> summary, List<Map<String, Object>> laws) {
        StringBuilder b = new StringBuilder(16_384);
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>proxylaw report: ")
                .append(esc(m.source())).append("</title>\n<style>").append(STYLE).append("</style></head>\n<body>\n");
        b.append("<h1>proxylaw report</h1>\n<p class=\"muted\">").append(esc(m.source())).append("</p>\n");
        Set<String> sections = new LinkedHashSet<>();
        figures.drawn().forEach(f -> sections.add(f.section()));
        b.append("<nav><a href=\"#summary\">Summary</a><a href=\"#laws\">Laws</a>");
        sections.forEach(s -> b.append("<a href=\"#").append(anchor(s)).append("\">").append(esc(s)).append("</a>"));
        b.append("<a href=\"#not-drawn\">Not drawn</a><a href=\"#notes\">Fit notes</a></nav>\n");

        b.append("<h2 id=\"summary\">Summary</h2>\n<table>");
        summary.forEach((k, v) -> b.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(String.valueOf(v)))
                .append("</td></tr>"));
        b.append("</table>\n");

        b.append("<h2 id=\"laws\">Laws</h2>\n");
        Map<String, String> names = Families.shortNames(laws.stream().map(r -> (String) r.get("family")).toList());
        if (laws.isEmpty()) {
            b.append("<p>No law was fitted; the fit notes below say what the sweep lacks.</p>\n");
        } else {
            b.append("<table><tr><th>family</th><th>law</th><th>coefficient</th><th>estimate</th><th>95% interval</th></tr>");
            for (Map<String, Object> r : laws) {
                b.append("<tr><td>").append(esc(names.get((String) r.get("family")))).append("</td><td>").append(esc(r.get("law")))
                        .append("</td><td>").append(esc(r.get("coefficient"))).append("</td><td class=\"num\">")
                        .append(num(r.get("point"))).append("</td><td class=\"num\">").append(num(r.get("lo95"))).append(" .. ")
                        .append(num(r.get("hi95"))).append("</td></tr>");
            }
            b.append("</table>\n<p class=\"muted\">The same rows are in laws/ (Parquet); laws.json has the replicates, "
                    + "residuals and held-out checks.</p>\n");
        }

        for (String s : sections) {
            b.append("<h2 id=\"").append(anchor(s)).append("\">").append(esc(s)).append("</h2>\n<div class=\"figs\">\n");
            for (Figure f : figures.drawn()) {
                if (!f.section().equals(s)) {
                    continue;
                }
                b.append("<figure id=\"").append(f.id()).append("\"><img src=\"figures/").append(f.id()).append(".png\" width=\"")
                        .append(f.width()).append("\" height=\"").append(f.height()).append("\" alt=\"").append(esc(f.title()))
                        .append("\"><figcaption><b>").append(esc(f.title())).append(".</b> ").append(esc(f.caption()))
                        .append(" <a href=\"figures/").append(f.id()).append(".svg\">SVG</a> · <a href=\"figures/").append(f.id())
                        .append(".json\">data</a></figcaption></figure>\n");
            }
            b.append("</div>\n");
        }

        b.append("<h2 id=\"not-drawn\">Not drawn</h2>\n");
        if (figures.skipped().isEmpty()) {
            b.append("<p>Every figure could be drawn from this dataset.</p>\n");
        } else {
            b.append("<ul>");
            figures.skipped().forEach(k -> b.append("<li><b>").append(esc(k.title())).append("</b>: ").append(esc(k.reason()))
                    .append("</li>"));
            b.append("</ul>\n");
        }
        b.append("<h2 id=\"notes\">Fit notes</h2>\n");
        List<String> notes = new ArrayList<>();
        Map<String, String> famNames = Families.shortNames(m.notes().keySet());
        m.notes().forEach((f, ns) -> ns.forEach(n -> notes.add(famNames.get(f) + ": " + n)));
        if (notes.isEmpty()) {
            b.append("<p>None.</p>\n");
        } else {
            b.append("<ul>");
            notes.stream().sorted().forEach(n -> b.append("<li>").append(esc(n)).append("</li>"));
            b.append("</ul>\n");
        }
        b.append("<script>").append(CHECK).append("</script>\n</body></html>\n");
        return b.toString();
    }

    private static String num(Object v) {
        return v instanceof Number n && Double.isFinite(n.doubleValue()) ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : "-";
    }

    private static String anchor(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    }

    static String esc(Object o) {
        String s = String.valueOf(o);
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
