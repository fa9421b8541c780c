package dev.proxylaw.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxylaw.jobs.CliRunner;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code proxylaw report} end to end: real sweeps and fits on Spark, the page rendered by headless Chromium,
 * and every figure's drawn numbers checked against the laws and cells tables they came from.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportCommandTest {
    static final String SPEC = """
            sweep: report-test
            run:
              data: {source: markov, markov_tokens: 20000}
              model: {n_layers: 1, n_heads: 2, seq_len: 16}
              schedule: {type: cosine, warmup_steps: 3, min_lr: 1.0e-5}
              train: {batch_size: 8, log_every: 1, eval_every_tokens: 0}
            axes:
              param:
                merge:
                  - {param: {type: sp}}
                  - {param: {type: mup, base_width: 16}}
              model.d_model: [16, 32]
              train.steps: [20, 40]
              optim.lr: [0.003, 0.03, 30.0]
            """;

    @TempDir
    static Path dir;

    @Test
    @Order(1)
    void aDirectoryWithNoSweepSaysWhichCommandToRunFirst() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRunner.Result r = CliRunner.run("report", empty.toString());
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("no sweep") && r.err().contains("./proxylaw sweep"), r.err());
        CliRunner.Result missing = CliRunner.run("report", dir.resolve("nope").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("does not exist") && missing.err().contains("./proxylaw demo"), missing.err());
        assertFalse(Files.exists(empty.resolve("report")));
    }

    @Test
    @Order(2)
    void aSweepReportShowsTransferCurvesAndHealth() throws Exception {
        Path spec = Files.writeString(dir.resolve("sweep.yaml"), SPEC);
        Path out = dir.resolve("sweep");
        CliRunner.Result s = CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(0, s.code(), s.out() + s.err());
        CliRunner.Result early = CliRunner.run("report", out.toString());
        assertEquals(2, early.code(), early.out() + early.err());
        assertTrue(early.err().contains("no fit yet") && early.err().contains("./proxylaw fit " + out), early.err());
        assertFalse(Files.exists(out.resolve("report")));

        CliRunner.Result f = CliRunner.run("fit", out.toString(), "--master", "local[2]", "--bootstraps", "200");
        assertEquals(0, f.code(), f.out() + f.err());
        CliRunner.Result r = CliRunner.run("report", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        Path figures = out.resolve("report/figures");
        for (String id : List.of("lr_curves", "coordinate_check", "training_curves", "training_curves_2", "health_status",
                "health_timeline", "step_law_lr", "step_law_batch", "lr_sensitivity")) {
            assertTrue(Files.isRegularFile(figures.resolve(id + ".png")), id + " missing: " + list(figures));
            assertTrue(Files.readString(figures.resolve(id + ".svg")).contains("<svg"), id);
        }
        String html = Files.readString(out.resolve("report/index.html"));
        assertTrue(html.contains("LR x batch landscape") && html.contains("no cell was swept over both LR and batch"), html);
        assertAllFiguresLoad(out.resolve("report/index.html"), dir.resolve("chrome-1"));

        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            // health: the status chart counts every attempt in runs/
            ResultSet rs = st.executeQuery("SELECT count(*) FROM read_parquet('" + out.resolve("runs") + "/*.parquet')");
            rs.next();
            double attempts = 0;
            for (JsonNode series : json(figures.resolve("health_status.json")).get("series")) {
                for (JsonNode y : series.get("y")) {
                    attempts += y.asDouble();
                }
            }
            assertEquals(rs.getInt(1), attempts, 0);
            // loss against LR: each drawn point is the best loss of its family and LR among the fitted points
            // (SP and muP are the same model at the base width, so two families can share a key: count the groups)
            Map<String, Double> best = new HashMap<>();
            int groups = 0;
            rs = st.executeQuery("SELECT lr, min(loss) FROM read_parquet('" + out.resolve("points") + "/*.parquet') "
                    + "WHERE status = 'COMPLETED' GROUP BY family, width, d, lr");
            while (rs.next()) {
                best.merge(key(rs.getDouble(1), rs.getDouble(2)), 1.0, Double::sum);
                groups++;
            }
            int drawn = 0;
            for (JsonNode series : json(figures.resolve("lr_curves.json")).get("series")) {
                if (series.get("name").asText().endsWith("diverged")) {
                    continue;
                }
                for (int i = 0; i < series.get("x").size(); i++) {
                    String k = key(series.get("x").get(i).asDouble(), series.get("y").get(i).asDouble());
                    assertTrue(best.containsKey(k), "drawn point " + k + " is not a cell's loss at that LR");
                    drawn++;
                }
            }
            assertEquals(groups, drawn);
        }
    }

    @Test
    @Order(3)
    void thePublishedStepLawReportRendersAndItsFiguresMatchTheLaws() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(root.resolve("analysis"))) {
            root = root.getParent();
        }
        Path csv = root.resolveSibling("shared").resolve("data/steplaw_dense_runs.csv");
        Path out = dir.resolve("published");
        CliRunner.Result f = CliRunner.run("fit", "--runs", csv.toString(), "--out", out.toString(), "--master", "local[2]",
                "--columns", "batch_tokens=bs * 2048,loss=`smooth loss`", "--bootstraps", "300", "--surface-bootstraps", "5");
        assertEquals(0, f.code(), f.out() + f.err());
        CliRunner.Result r = CliRunner.run("report", out.toString(), "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        Path page = out.resolve("report/index.html");
        Path figures = out.resolve("report/figures");
        assertAllFiguresLoad(page, dir.resolve("chrome-2"));

        // the screenshot shows charts: the palette's blue and the heat maps' colours cover real area
        Path shot = dir.resolve("published.png");
        Chromium.screenshot(page, shot, 1400, 6000, dir.resolve("chrome-3"));
        BufferedImage img = ImageIO.read(shot.toFile());
        long blue = 0;
        long ink = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int rr = (p >> 16) & 255;
                int gg = (p >> 8) & 255;
                int bb = p & 255;
                blue += Math.abs(rr - 0x00) < 40 && Math.abs(gg - 0x72) < 40 && Math.abs(bb - 0xB2) < 40 ? 1 : 0;
                ink += rr + gg + bb < 600 ? 1 : 0;
            }
        }
        assertTrue(blue > 2_000, "too little of the charts' blue in the screenshot: " + blue + " px");
        assertTrue(ink > 0.08 * img.getWidth() * img.getHeight(), "the screenshot is mostly blank: " + ink + " px");

        Map<String, Double> law = new HashMap<>();
        List<double[]> cells = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT coefficient, point FROM read_parquet('" + out.resolve("laws")
                    + "/*.parquet') WHERE law = 'step_law'");
            while (rs.next()) {
                law.put(rs.getString(1), rs.getDouble(2));
            }
            rs = st.executeQuery("SELECT n, d, lr_opt, batch_tokens_opt FROM read_parquet('" + out.resolve("cells") + "/*.parquet')");
            while (rs.next()) {
                cells.add(new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)});
            }
        }
        assertEquals(5, law.size(), law.toString());
        // eta_opt against N: every fitted line has the law's N-exponent and the D-term of one of the cells' budgets
        int lines = 0;
        for (JsonNode s : json(figures.resolve("step_law_lr.json")).get("series")) {
            String name = s.get("name").asText();
            double[] x = doubles(s.get("x"));
            double[] y = doubles(s.get("y"));
            if (name.startsWith("fit at D=")) {
                lines++;
                double lnD = (Math.log(y[0]) - law.get("c0") - law.get("cN") * Math.log(x[0])) / law.get("cD");
                assertTrue(cells.stream().anyMatch(cl -> Math.abs(Math.log(cl[1]) - lnD) < 1e-9), "line " + name + " D=" + Math.exp(lnD));
                double[] lo = doubles(s.get("lo"));
                double[] hi = doubles(s.get("hi"));
                for (int i = 0; i < x.length; i++) {
                    assertEquals(law.get("c0") + law.get("cN") * Math.log(x[i]) + law.get("cD") * lnD, Math.log(y[i]), 1e-9);
                    assertTrue(lo[i] <= y[i] && y[i] <= hi[i] && hi[i] > lo[i], "band at " + x[i]);
                }
            } else if (name.startsWith("optima")) {
                for (int i = 0; i < x.length; i++) {
                    final int k = i;
                    assertTrue(cells.stream().anyMatch(cl -> cl[0] == x[k] && cl[2] == y[k]), "optimum " + x[k] + ", " + y[k]);
                }
            }
        }
        assertTrue(lines >= 2, "lines: " + lines);
        // B_opt against D: the line is exp(k0) D^kD
        for (JsonNode s : json(figures.resolve("step_law_batch.json")).get("series")) {
            if (s.get("name").asText().equals("fit")) {
                double[] x = doubles(s.get("x"));
                double[] y = doubles(s.get("y"));
                for (int i = 0; i < x.length; i++) {
                    assertEquals(law.get("k0") + law.get("kD") * Math.log(x[i]), Math.log(y[i]), 1e-9);
                }
            }
        }
        // each landscape marks its cell's optimum from cells/
        int landscapes = 0;
        for (Path p : list(figures)) {
            if (p.getFileName().toString().matches("landscape_\\d+\\.json")) {
                for (JsonNode s : json(p).get("series")) {
                    if (s.get("name").asText().startsWith("optimum")) {
                        double lr = s.get("x").get(0).asDouble();
                        double b = s.get("y").get(0).asDouble();
                        assertTrue(cells.stream().anyMatch(cl -> cl[2] == lr && cl[3] == b), p + ": " + lr + ", " + b);
                        landscapes++;
                    }
                }
            }
        }
        assertEquals(9, landscapes);

        // the check can fail: a missing image is reported by the page itself
        Files.delete(figures.resolve("step_law_lr.png"));
        String dom = Chromium.dumpDom(page, dir.resolve("chrome-4"));
        assertTrue(dom.contains("data-loaded=\"no\"") && dom.contains("failed to load: figures/step_law_lr.png"), dom.substring(0, 300));
    }

    /** Every figure on the page loaded (the page's own check ran and marked each one). */
    static void assertAllFiguresLoad(Path page, Path profile) throws Exception {
        String dom = Chromium.dumpDom(page, profile);
        assertTrue(dom.contains("data-checked=\"yes\""), "the page's load check did not run");
        int figures = count(dom, "<figure ");
        assertTrue(figures > 3, "figures on the page: " + figures);
        assertEquals(figures, count(dom, "data-loaded=\"yes\""), "figures that loaded");
        assertFalse(dom.contains("failed to load: figures/"));
    }

    private static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String key(double lr, double loss) {
        return String.format("%.6g/%.9g", lr, loss);
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        }
        return v;
    }

    private static JsonNode json(Path p) throws Exception {
        return new ObjectMapper().readTree(p.toFile());
    }

    private static List<Path> list(Path p) throws Exception {
        try (Stream<Path> s = Files.list(p)) {
            return s.sorted().toList();
        }
    }
}
