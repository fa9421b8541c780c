package dev.proxylaw.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.RunStatus;
import dev.proxylaw.trainer.metrics.StepMetrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pack trains each member exactly as its solo run: the same rows, loss curve, validation losses and
 * status. Members differ in everything a pack allows (peak LR, schedule, weight decay and its style,
 * z-loss, epsilon, betas, clip, parameterization and its multipliers, embedding LR, init scale, seed,
 * evaluation batches, step count), and one diverges: it must stop at its solo step while the others go on.
 */
class PackTrainerTest {
    private static final String BASE = """
            seed: %d
            data: {source: markov, markov_tokens: 100000}
            model: {d_model: 32, n_layers: 2, n_heads: 4, seq_len: 16%s}
            param: %s
            optim: %s
            schedule: %s
            train: {batch_size: 8, steps: %d, eval_every_tokens: 1024, eval_batches: %d, dtype: %s}
            """;

    static List<RunConfig> members(String dtype, String modelExtra) {
        return List.of(
                cfg(0, modelExtra, "{type: sp}", "{lr: 0.003}", "{type: cosine, warmup_steps: 5}", 40, 2, dtype),
                cfg(1, modelExtra, "{type: sp}", "{lr: 0.01, wd_style: independent, z_loss: 0.001, eps: 1.0e-15, beta2: 0.99}",
                        "{type: wsd, warmup_steps: 3, decay_fraction: 0.2, min_lr: 1.0e-5}", 40, 3, dtype),
                cfg(2, modelExtra, "{type: mup, base_width: 16, embedding_lr_mult: 2.0}", "{lr: 0.006, grad_clip: 0.5}",
                        "{type: power, a: 4.0, b: -0.51, warmup_steps: 4, decay_fraction: 0.1}", 25, 2, dtype),
                cfg(3, modelExtra, "{type: depth, base_depth: 1, alpha: 1.0}", "{lr: 0.004, weight_decay: 0.0, beta1: 0.8}",
                        "{type: constant, warmup_steps: 0}", 33, 1, dtype),
                // far too hot and unclipped: diverges within a few steps
                cfg(4, modelExtra, "{type: sp}", "{lr: 30.0, grad_clip: 0.0}", "{type: constant, warmup_steps: 0}", 40, 2, dtype));
    }

    private static RunConfig cfg(long seed, String modelExtra, String param, String optim, String schedule, int steps,
                                 int evalBatches, String dtype) {
        return TrainerTestSupport.yaml(String.format(BASE, seed, modelExtra, param, optim, schedule, steps, evalBatches, dtype));
    }

    @Test
    void float64PackEqualsSoloRunsTo1e9() {
        compare(members("float64", ""), 1e-9);
    }

    @Test
    void float32PackEqualsSoloRunsWithinRounding() {
        // float32 products summed in a different order drift by rounding, amplified over 40 steps of training
        compare(members("float32", ", qk_layernorm: true, bias: true"), 2e-3);
    }

    @Test
    void tiedEmbeddingsPackEqualsSoloRuns() {
        List<RunConfig> all = members("float64", ", tied_embeddings: true");
        compare(List.of(all.get(0), all.get(2), all.get(4)), 1e-9);
    }

    @Test
    void runsOfDifferentShapesAreRefusedWithTheDifference() {
        List<RunConfig> two = List.of(members("float64", "").get(0),
                cfg(0, "", "{type: sp}", "{lr: 0.003}", "{type: constant, warmup_steps: 0}", 10, 1, "float32"));
        ConfigException e = assertThrows(ConfigException.class, () -> new PackTrainer(two));
        assertTrue(e.getMessage().contains("shape") && e.getMessage().contains("float32"), e.getMessage());
    }

    private static void compare(List<RunConfig> cfgs, double tol) {
        List<List<StepMetrics>> packed = new ArrayList<>();
        List<MetricsSink> sinks = new ArrayList<>();
        for (int i = 0; i < cfgs.size(); i++) {
            List<StepMetrics> rows = new ArrayList<>();
            packed.add(rows);
            sinks.add(rows::add);
        }
        List<RunResult> results = new PackTrainer(cfgs).run(sinks, 0);
        boolean sawDiverged = false;
        for (int i = 0; i < cfgs.size(); i++) {
            TrainerTestSupport.Outcome solo = TrainerTestSupport.train(cfgs.get(i));
            RunResult p = results.get(i);
            String who = "member " + i;
            assertEquals(solo.result().runId(), p.runId(), who);
            assertEquals(solo.result().status(), p.status(), who + " status");
            assertEquals(solo.result().divergedStep(), p.divergedStep(), who + " diverged step");
            assertEquals(solo.result().steps(), p.steps(), who + " steps");
            assertEquals(solo.result().tokens(), p.tokens(), who + " tokens");
            assertEquals(solo.result().epochs(), p.epochs(), who + " epochs");
            assertTrue(p.epochs() > 0, who + " epochs");
            assertNull(p.error(), who + " error");
            sawDiverged |= p.status() == RunStatus.DIVERGED;
            List<StepMetrics> a = solo.steps();
            List<StepMetrics> b = packed.get(i);
            assertEquals(a.size(), b.size(), who + " logged steps");
            for (int s = 0; s < a.size(); s++) {
                StepMetrics x = a.get(s);
                StepMetrics y = b.get(s);
                String at = who + " step " + x.step();
                assertEquals(x.step(), y.step(), at);
                assertEquals(x.tokens(), y.tokens(), at);
                close(x.loss(), y.loss(), tol, at + " loss");
                close(x.ce(), y.ce(), tol, at + " ce");
                close(x.zLoss(), y.zLoss(), tol, at + " z-loss");
                close(x.gradNorm(), y.gradNorm(), tol, at + " grad norm");
                close(x.logZMean(), y.logZMean(), tol, at + " log Z");
                for (int g = 0; g < x.lr().length; g++) {
                    close(x.lr()[g], y.lr()[g], 1e-15, at + " lr of group " + g);
                    close(x.updateRms()[g], y.updateRms()[g], tol, at + " update rms of group " + g);
                    close(x.paramRms()[g], y.paramRms()[g], tol, at + " param rms of group " + g);
                }
                for (int l = 0; l < x.maxAttnLogit().length; l++) {
                    close(x.maxAttnLogit()[l], y.maxAttnLogit()[l], tol, at + " max logit " + l);
                    close(x.actAbsMean()[l], y.actAbsMean()[l], tol, at + " act " + l);
                }
                assertEquals(x.valLoss() == null, y.valLoss() == null, at + " evaluated");
                if (x.valLoss() != null) {
                    close(x.valLoss(), y.valLoss(), tol, at + " validation loss");
                }
            }
            if (p.status() == RunStatus.COMPLETED) {
                close(solo.result().finalValLoss(), p.finalValLoss(), tol, who + " final validation loss");
            }
        }
        assertTrue(sawDiverged, "one member diverges");
    }

    /** |a - b| <= tol * max(1, |a|); NaN only where both are NaN. */
    private static void close(double a, double b, double tol, String what) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            assertEquals(Double.isNaN(a), Double.isNaN(b), what + ": " + a + " vs " + b);
            return;
        }
        assertTrue(Math.abs(a - b) <= tol * Math.max(1.0, Math.abs(a)), what + ": solo " + a + ", packed " + b);
    }
}
