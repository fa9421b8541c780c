package dev.proxylaw.jobs.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxylaw.analysis.fit.EdgeRule;
import dev.proxylaw.analysis.fit.FitCore;
import dev.proxylaw.analysis.fit.Replicates;
import dev.proxylaw.analysis.fit.Resampling;
import dev.proxylaw.analysis.fit.RunPoint;
import dev.proxylaw.analysis.fit.RunRecord;
import dev.proxylaw.analysis.fit.StepLawCsv;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.jobs.CliRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code proxylaw fit} on real Spark: the published Step Law runs, ground truth, a sweep, bad input. */
class FitCommandTest {
    @TempDir
    static Path dir;

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("analysis")))) {
            p = p.getParent();
        }
        return p;
    }

    static JsonNode laws(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("laws.json").toFile());
    }

    @Test
    void publishedStepLawRunsGiveWhatScienceMdSays() throws Exception {
        Path csv = repoRoot().resolveSibling("shared").resolve("data/steplaw_dense_runs.csv");
        assertTrue(Files.isRegularFile(csv), "the published runs are expected at " + csv);
        Path out = dir.resolve("published");
        CliRunner.Result r = CliRunner.run("fit", "--runs", csv.toString(), "--out", out.toString(), "--master", "local[2]",
                "--columns", "batch_tokens=bs * 2048,loss=`smooth loss`,seq_len=2048", "--surface-bootstraps", "20",
                "--resampling", "run", "--edges", "keep");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode law = laws(out).at("/families/table/step_law");
        // science.md, by the paper's procedure (every cell kept, near-optimal runs resampled):
        // lr ~ N^-0.77 (95%: -0.87..-0.67) * D^0.20 (0.13..0.26), bs ~ D^0.61 (0.54..0.68)
        assertEquals(1, law.get("edge_cells").asInt(), "one cell's best run sits at the end of its LR ladder");
        assertEquals(-0.77, law.at("/cN/point").asDouble(), 0.02);
        assertEquals(0.20, law.at("/cD/point").asDouble(), 0.02);
        assertEquals(0.61, law.at("/kD/point").asDouble(), 0.02);
        assertEquals(-0.87, law.at("/cN/lo95").asDouble(), 0.03);
        assertEquals(-0.67, law.at("/cN/hi95").asDouble(), 0.03);
        assertEquals(0.13, law.at("/cD/lo95").asDouble(), 0.03);
        assertEquals(0.26, law.at("/cD/hi95").asDouble(), 0.03);
        assertEquals(0.54, law.at("/kD/lo95").asDouble(), 0.03);
        assertEquals(0.68, law.at("/kD/hi95").asDouble(), 0.03);
        assertEquals(17, law.get("cells").asInt());
        JsonNode surface = laws(out).at("/families/table/loss_surface");
        System.out.println("published loss surface: " + surface);
        assertTrue(Double.isFinite(surface.at("/alpha/point").asDouble()) && Double.isFinite(surface.at("/beta/point").asDouble()),
                surface.toString());
        // the Spark path and the plain-JVM core give the same laws: replicate i is a function of (points, seed, i)
        List<RunRecord> records = new ArrayList<>();
        for (RunPoint p : StepLawCsv.read(csv)) {
            records.add(new RunRecord("table", p.n(), p.d(), p.lr(), p.batchTokens(), StepLawCsv.SEQ_LEN, p.loss(),
                    p.status(), Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        }
        LawsDocument.StepLaw core = FitCore.fit(records, new FitCore.Options(0.0025, 1000, 20, 1, Resampling.RUN,
                EdgeRule.KEEP), Replicates.IN_PROCESS, "core", null).laws().families().get("table").stepLaw();
        assertEquals(core.cN().point(), law.at("/cN/point").asDouble(), 1e-12);
        assertEquals(core.cN().lo95(), law.at("/cN/lo95").asDouble(), 1e-12);
        assertEquals(core.kD().hi95(), law.at("/kD/hi95").asDouble(), 1e-12);
        assertEquals(1000, law.get("replicates").size());
        // the paper reports about 0.09% for its held-out cells
        double heldOut = laws(out).at("/families/table/holdout/mean_relative_error").asDouble();
        assertTrue(heldOut > 0 && heldOut < 0.0025, "held-out relative loss error " + heldOut);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) n, sum(CASE WHEN edge THEN 1 ELSE 0 END) edges FROM read_parquet('"
                    + out.resolve("cells") + "/*.parquet')");
            rs.next();
            assertEquals(17, rs.getInt("n"));
            assertEquals(1, rs.getInt("edges"));
            rs = s.executeQuery("SELECT point FROM read_parquet('" + out.resolve("laws") + "/*.parquet') WHERE coefficient = 'kD'");
            rs.next();
            assertEquals(law.at("/kD/point").asDouble(), rs.getDouble("point"), 1e-12);
        }
        CliRunner.Result p = CliRunner.run("predict", "--laws", out.toString(), "--N", "1e9", "--D", "1e11");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("peak LR") && p.out().contains("95%"), p.out());
        // a training job's view: JSON with a run-config fragment, a short family name, a warning off the fitted range
        p = CliRunner.run("predict", "--laws", out.toString(), "--N", "1e12", "--D", "1e11", "--family", "table", "--format",
                "json", "--power-batch", "512");
        assertEquals(0, p.code(), p.err());
        JsonNode j = new ObjectMapper().readTree(p.out());
        assertEquals(j.at("/lr/point").asDouble(), j.at("/run_config/optim/lr").asDouble(), 0);
        assertTrue(j.at("/lr/lo95").asDouble() < j.at("/lr/point").asDouble(), j.toString());
        assertTrue(j.get("warnings").toString().contains("N = 1.000e+12 lies outside the fitted range"), j.toString());
        assertFalse(j.get("warnings").toString().contains("D = "), j.toString());
    }

    /** A table from a known law: lr_opt = 0.5 N^-0.6 D^0.25, B_opt = 2 D^0.55, a bowl around them, divergence. */
    @Test
    void recoversAKnownLawThroughSpark() throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        StringBuilder csv = new StringBuilder("N,D,lr,batch_tokens,loss,status\n");
        for (double n : new double[] {1e6, 3e6, 1e7, 3e7}) {
            for (double d : new double[] {1e8, 3e8, 1e9}) {
                double lnLr = Math.log(0.5) - 0.6 * Math.log(n) + 0.25 * Math.log(d);
                double lnB = Math.log(2) + 0.55 * Math.log(d);
                for (int i = -4; i <= 4; i++) {
                    for (int j = -3; j <= 3; j++) {
                        double lr = Math.exp(lnLr + 0.35 * i);
                        double b = Math.exp(lnB + 0.35 * j);
                        if (i == 4 && j <= -2) {   // too hot at small batch: diverged runs stay in the data
                            csv.append(n).append(',').append(d).append(',').append(lr).append(',').append(b).append(",,DIVERGED\n");
                            continue;
                        }
                        double loss = 2.0 + 0.01 * (0.35 * i) * (0.35 * i) + 0.01 * (0.35 * j) * (0.35 * j)
                                + 0.0004 * rng.nextGaussian();
                        csv.append(n).append(',').append(d).append(',').append(lr).append(',').append(b).append(',')
                                .append(loss).append(",COMPLETED\n");
                    }
                }
            }
        }
        // one extra cell where every run diverged: flagged, not a crash and not a NaN law
        for (int i = 0; i < 3; i++) {
            csv.append(1e8).append(',').append(1e8).append(',').append(0.1 * (i + 1)).append(',').append(1e5).append(",,DIVERGED\n");
        }
        Path table = Files.writeString(dir.resolve("known.csv"), csv);
        Path out = dir.resolve("known");
        CliRunner.Result r = CliRunner.run("fit", "--runs", table.toString(), "--out", out.toString(), "--master", "local[2]",
                "--bootstraps", "200", "--surface-bootstraps", "10");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 with every run diverged"), r.out());
        JsonNode law = laws(out).at("/families/table/step_law");
        assertEquals(-0.6, law.at("/cN/point").asDouble(), 0.05);
        assertEquals(0.25, law.at("/cD/point").asDouble(), 0.05);
        assertEquals(0.55, law.at("/kD/point").asDouble(), 0.05);
        assertEquals(1, law.get("all_diverged_cells").size());
        assertTrue(laws(out).at("/families/table/notes").toString().contains("every run diverged"));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) n FROM read_parquet('" + out.resolve("cells")
                    + "/*.parquet') WHERE all_diverged AND lr_opt IS NULL");
            rs.next();
            assertEquals(1, rs.getInt("n"));
        }
    }

    @Test
    void aSweepDirectoryIsFittedFromItsRunsAndSteps() throws Exception {
        Path spec = Files.writeString(dir.resolve("grid.yaml"), """
                sweep: fit-test
                run:
                  data: {source: markov, markov_tokens: 20000}
                  model: {n_layers: 1, n_heads: 2, seq_len: 8}
                  schedule: {type: constant, warmup_steps: 2}
                  train: {batch_size: 4, eval_batches: 1}
                axes:
                  model.d_model: [8, 16, 24]
                  derive.tokens_per_param: [0.2, 0.4]
                  optim.lr: [0.003, 0.01, 0.03]
                """);
        Path out = dir.resolve("sweep");
        assertEquals(0, CliRunner.run("sweep", spec.toString(), "--out", out.toString(), "--master", "local[2]").code());
        // three LRs: most cells' best run sits at a ladder end; kept (not the default) so the Step Law has cells
        CliRunner.Result r = CliRunner.run("fit", out.toString(), "--master", "local[2]", "--bootstraps", "50",
                "--logit-step", "2", "--edges", "keep");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode families = laws(out).get("families");
        assertEquals(1, families.size(), families.toString());
        JsonNode fam = families.elements().next();
        assertTrue(fam.has("step_law"), fam.toString());
        assertTrue(fam.at("/step_law/edge_cells").asInt() > 0, fam.toString());
        assertTrue(families.fieldNames().next().contains("emb_lr=1.0"), "embedding LR relative to m_N in the family");
        assertTrue(Double.isFinite(fam.at("/step_law/cN/point").asDouble()));
        // block 0's max attention logit at step 2 against size, one line per LR over the three sizes
        JsonNode maxLogit = fam.get("max_logit");
        assertEquals(3, maxLogit.get("by_lr").size(), maxLogit.toString());
        assertEquals(6, maxLogit.get("by_lr").get(0).get("points").asInt(), "3 widths x 2 budgets");
        // three widths: transfer of eta_opt across width is measured for the one parameterization swept
        JsonNode transfer = laws(out).get("transfer");
        assertEquals("width", transfer.get("axis").asText(), transfer.toString());
        // tokens per parameter is the fixed budget here (D = k N, rounded up to whole steps): D/N ~ 0.2 and ~ 0.4
        JsonNode byBudget = transfer.get("by_budget");
        assertEquals(2, byBudget.size() + transfer.get("skipped").size(), transfer.toString());
        assertTrue(byBudget.fieldNames().next().startsWith("D/N~"), transfer.toString());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) n, min(runs) r, count(lr_sensitivity) sens FROM read_parquet('"
                    + out.resolve("cells") + "/*.parquet')");
            rs.next();
            assertEquals(6, rs.getInt("n"), "3 widths x 2 token budgets");
            assertEquals(3, rs.getInt("r"));
            assertEquals(6, rs.getInt("sens"), "LR sensitivity from each run's initial loss in steps/");
        }
        // ranked on the final validation loss instead: every cell's best is its lowest final_val_loss
        Path val = dir.resolve("fit-val");
        r = CliRunner.run("fit", out.toString(), "--out", val.toString(), "--master", "local[2]", "--bootstraps", "20",
                "--logit-step", "2", "--edges", "keep", "--loss", "val");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(laws(val).get("ranked_on").asText().contains("validation"), laws(val).toString());
        assertTrue(laws(out).get("ranked_on").asText().contains("smoothed"));
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet('" + val.resolve("cells") + "/*.parquet') c JOIN "
                    + "(SELECT n_steplaw, min(final_val_loss) v FROM read_parquet('" + out.resolve("runs") + "/*.parquet') "
                    + "WHERE status = 'COMPLETED' GROUP BY n_steplaw, total_steps) b ON c.n = b.n_steplaw AND c.best_loss = b.v");
            rs.next();
            assertEquals(6, rs.getInt(1), "each cell's best is a final_val_loss");
        }
        assertEquals(2, CliRunner.run("fit", out.toString(), "--out", val.toString(), "--loss", "train").code());
        // an export is a compact copy that fits to the same laws; it refuses a directory that holds something
        Path exported = dir.resolve("exported");
        r = CliRunner.run("export", out.toString(), "--out", exported.toString(), "--steps-every", "5", "--logit-step", "2",
                "--master", "local[2]");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("18 runs"), r.out());
        CliRunner.Result again = CliRunner.run("export", out.toString(), "--out", exported.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("not empty"), again.err());
        r = CliRunner.run("fit", exported.toString(), "--master", "local[2]", "--bootstraps", "50", "--logit-step", "2",
                "--edges", "keep");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode a = laws(out);
        JsonNode b = laws(exported);
        ((com.fasterxml.jackson.databind.node.ObjectNode) a).remove("source");
        ((com.fasterxml.jackson.databind.node.ObjectNode) b).remove("source");
        assertEquals(a, b, "the export fits to the sweep's laws");
    }

    /** Tables nobody here wrote: one loss per (N, D), sizes agreeing to four digits, commas in a mapping. */
    @Test
    void foreignTablesFitOrFailInOneLine() throws Exception {
        StringBuilder csv = new StringBuilder("model,params,tokens,final\n");
        for (double n : new double[] {4e7, 1e8, 3e8, 1e9}) {
            for (double d : new double[] {1e9, 4e9, 1.6e10, 6.4e10}) {
                csv.append("m,").append(n).append(',').append(d).append(',')
                        .append(1.69 + 406.4 / Math.pow(n, 0.34) + 410.7 / Math.pow(d, 0.28)).append('\n');
            }
        }
        csv.append("m,").append(1.00004e8).append(',').append(4e9).append(",2.9\n");   // N equal to 4 digits
        Path table = Files.writeString(dir.resolve("chinchilla.csv"), csv);
        Path out = dir.resolve("chinchilla");
        CliRunner.Result r = CliRunner.run("fit", "--runs", table.toString(), "--out", out.toString(), "--master",
                "local[2]", "--surface-bootstraps", "20", "--columns", "N=params,D=tokens,loss=final,family=concat(model, '-x')");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode fam = laws(out).at("/families/m-x");
        assertTrue(fam.at("/loss_surface/alpha/point").isNumber(), fam.toString());
        assertFalse(fam.has("step_law"), fam.toString());
        assertTrue(fam.get("notes").toString().contains("no lr or batch"), fam.toString());

        Path bad = Files.writeString(dir.resolve("bad-status.csv"), "N,D,loss,status\n1e6,1e8,2.0,done\n");
        r = CliRunner.run("fit", "--runs", bad.toString(), "--out", dir.resolve("y").toString(), "--master", "local[1]");
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("status must be COMPLETED, DIVERGED or FAILED"), r.err());
        assertFalse(Files.exists(dir.resolve("y")));
    }

    @Test
    void badInputIsAClearErrorNeverACrash() throws Exception {
        Path csv = Files.writeString(dir.resolve("bad.csv"), "params,tokens,lr,loss\n1e6,1e8,0.01,2.0\n");
        CliRunner.Result r = CliRunner.run("fit", "--runs", csv.toString(), "--out", dir.resolve("x").toString(), "--master", "local[1]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no column for N, D.") && r.err().contains("params, tokens, lr, loss"), r.err());
        r = CliRunner.run("fit", "--runs", csv.toString(), "--out", dir.resolve("x").toString(), "--master", "local[1]",
                "--columns", "N=params,D=tokens,batch_tokens=batch * 2");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Cannot map the columns"), r.err());
        r = CliRunner.run("fit", "--runs", csv.toString(), "--out", dir.resolve("x").toString(), "--columns", "size=params");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("'size' is not a canonical column"), r.err());
        r = CliRunner.run("fit", dir.resolve("no-sweep-here").toString(), "--master", "local[1]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("Run proxylaw sweep"), r.err());
        assertEquals(2, CliRunner.run("predict", "--laws", dir.resolve("nothing").toString(), "--N", "1e9", "--D", "1e10").code());
        assertFalse(Files.exists(dir.resolve("x")));
    }
}
