package dev.proxylaw.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.trainer.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {
    static final String RUN = """
            run:
              model: {d_model: 32, n_layers: 2, n_heads: 4, seq_len: 16}
              train: {batch_size: 4, steps: 10}
            """;

    static Plan plan(String yaml) {
        return Planner.plan(yaml, "spec.yaml", Path.of("."));
    }

    static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> plan(yaml)).getMessage();
    }

    @Test
    void productOfAxesWithTheLastAxisTurningFastest() {
        Plan p = plan("sweep: s\n" + RUN + """
                axes:
                  model.d_model: [32, 64]
                  optim.lr: {ladder: {base: 1.0e-3, ratio: 2, from: -1, to: 1, per: 2}}
                """);
        assertEquals(6, p.runs().size());
        List<Double> lrs = p.runs().stream().map(r -> r.config().optim().lr()).toList();
        double s2 = Math.sqrt(2);
        // ladder values are rounded to 6 significant digits
        assertEquals(1e-3 / s2, lrs.get(0), 1e-3 * 5e-6);
        assertEquals(1e-3, lrs.get(1), 1e-12);
        assertEquals(1e-3 * s2, lrs.get(2), 1e-3 * 5e-6);
        assertEquals(32, p.runs().get(2).config().model().dModel());
        assertEquals(64, p.runs().get(3).config().model().dModel());
        assertTrue(p.runs().get(4).label().contains("model.d_model=64") && p.runs().get(4).label().contains("optim.lr=0.001"));
        assertEquals("s", p.runs().get(0).config().name());
        assertEquals(p.runs().size(), p.runs().stream().map(PlannedRun::id).distinct().count());
    }

    @Test
    void theHashDependsOnTheRunsNotTheFormatting() {
        String a = "sweep: s\n" + RUN + "axes:\n  optim.lr: [0.001, 0.002]\n";
        String b = "sweep: s\n" + RUN + "axes: {optim.lr: [1.0e-3, 2.0e-3]}   # same runs\n";
        assertEquals(plan(a).hash(), plan(b).hash());
        assertNotEquals(plan(a).hash(), plan(a.replace("0.002", "0.004")).hash());
    }

    @Test
    void derivedTokensAndBatchTokens() {
        Plan p = plan("sweep: s\n" + RUN + """
                derive: {batch_tokens: 128}
                axes:
                  derive.tokens_per_param: [10, 20]
                """);
        long n = 2L * 12 * 32 * 32;
        assertEquals(8, p.runs().get(0).config().train().batchSize());
        assertEquals(10 * n, p.runs().get(0).config().train().tokens());
        assertEquals(20 * n, p.runs().get(1).config().train().tokens());
        assertEquals(null, p.runs().get(0).config().train().steps());
        assertTrue(error("sweep: s\n" + RUN + "derive: {batch_tokens: 100}\n").contains("multiple of seq_len=16"));
    }

    @Test
    void mergeAxesAndBaseFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("base.yaml"), "model: {d_model: 32, n_layers: 2, n_heads: 4, seq_len: 16}\n"
                + "train: {batch_size: 4, steps: 10}\noptim: {lr: 0.005}\n");
        Path spec = Files.writeString(dir.resolve("spec.yaml"), """
                sweep: transfer
                base: base.yaml
                run: {optim: {weight_decay: 0.0}}
                axes:
                  variant: {merge: [{param: {type: sp}}, {param: {type: mup, base_width: 16}}, {param: {type: sp, embedding_lr_mult: 2}}]}
                """);
        Plan p = Planner.load(spec.toString(), new org.apache.hadoop.conf.Configuration());
        assertEquals(3, p.runs().size());
        assertEquals("mup", p.runs().get(1).config().param().type());
        assertEquals(2.0, p.runs().get(2).config().param().embeddingLrMult());
        assertEquals(0.005, p.runs().get(0).config().optim().lr());
        assertEquals(0.0, p.runs().get(0).config().optim().weightDecay());
    }

    @Test
    void badGridsFailBeforeAnythingRuns() {
        assertTrue(error("sweep: s\n" + RUN + "axes: {optim.lr: []}\n").contains("the grid is empty"));
        assertTrue(error("sweep: s\n" + RUN + "axes: {optim.lr: [0.1, 0.1]}\n").contains("have the same config"));
        String bad = error("sweep: s\n" + RUN + "axes: {model.n_heads: [4, 5]}\n");
        assertTrue(bad.contains("model.n_heads=5") && bad.contains("not divisible"), bad);
        assertTrue(error("sweep: s\n" + RUN + "axes: {optim.lr: [-1.0]}\n").contains("optim.lr=-1.0"));
        assertTrue(error("sweep: s\n" + RUN + "axes: {optim.learning_rate: [0.1]}\n").contains("learning_rate"));
        assertTrue(error("sweep: s\n" + RUN + "axis: {}\n").contains("unknown key 'axis'"));
        assertTrue(error(RUN).contains("'sweep' must name the sweep"));
        assertTrue(error("sweep: s\n" + RUN + "axes: {derive.flops: [1]}\n").contains("unknown derived value"));
        assertTrue(error("sweep: s\n" + RUN + "axes: {optim.lr: 0.1}\n").contains("needs a list of values"));
        assertTrue(error("sweep: [unclosed\n").contains("not valid YAML"));
        assertTrue(assertThrows(ConfigException.class, () -> Planner.load("no/such.yaml", new org.apache.hadoop.conf.Configuration())).getMessage()
                .contains("does not exist"));
    }

    @Test
    void aListOfGridsIsTheirUnionWithSharedRunsPlannedOnce() {
        Plan p = plan("sweep: s\n" + RUN + """
                axes:
                  - model.d_model: [32, 64]
                    optim.lr: [1.0e-3, 2.0e-3, 4.0e-3]
                  - model.d_model: [64]
                    optim.lr: [2.0e-3, 4.0e-3]
                    seed: [0, 1, 2]        # seed 0 (the default) is the first grid's: planned once
                """);
        assertEquals(6 + 4, p.runs().size());
        assertEquals(p.runs().size(), p.runs().stream().map(PlannedRun::id).distinct().count());
        assertEquals(3, p.runs().stream().filter(r -> r.config().model().dModel() == 64 && r.config().optim().lr() == 2e-3).count());
        assertEquals(1, p.runs().stream().filter(r -> r.config().model().dModel() == 64 && r.config().optim().lr() == 1e-3).count());
        assertTrue(p.runs().get(6).label().startsWith("grid2: "), p.runs().get(6).label());
        assertTrue(p.runs().get(0).label().startsWith("grid1: "), p.runs().get(0).label());
        // still a mistake inside one grid, and every item must be a grid
        assertTrue(error("sweep: s\n" + RUN + "axes:\n  - {optim.lr: [0.1, 0.1]}\n").contains("have the same config"));
        assertTrue(error("sweep: s\n" + RUN + "axes:\n  - {optim.lr: [0.1]}\n  - [0.2]\n").contains("one grid each"));
        assertTrue(error("sweep: s\n" + RUN + "axes: []\n").contains("empty list"));
        assertTrue(error("sweep: s\n" + RUN + "axes:\n  - {optim.lr: [0.1]}\n  - {optim.lr: []}\n").contains("grid2: an axis has no values"));
    }
}
