package dev.proxylaw.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a plan can identify, from its axes alone: each rule on a plan built to pass it and one built to fail it. */
class PlanChecksTest {
    private static final String RUN = """
            run:
              data: {source: markov, markov_tokens: 5000}
              model: {n_layers: 1, n_heads: 2, seq_len: 8}
              schedule: {type: cosine, warmup_steps: 0}
              train: {batch_size: 4, steps: 10}
            """;

    private static List<PlanChecks.Check> checks(String axes) {
        return PlanChecks.of(Planner.plan("sweep: t\n" + RUN + axes, "test spec", Path.of(".")));
    }

    private static PlanChecks.Check find(List<PlanChecks.Check> all, String family, String what) {
        return all.stream().filter(c -> c.family().equals(family) && c.what().startsWith(what)).findFirst().orElseThrow();
    }

    @Test
    void budgetsTiedToSizeLeaveTheStepLawExponentsUnidentified() {
        List<PlanChecks.Check> tied = checks("""
                derive: {tokens_per_param: 20}
                axes:
                  model.d_model: [16, 32, 64]
                  optim.lr: [0.001, 0.003, 0.01]
                """);
        PlanChecks.Check cN = find(tied, "all runs", "Step Law cN");
        assertFalse(cN.identifiable(), cN.why());
        assertTrue(cN.why().contains("collinear"), cN.why());
        List<PlanChecks.Check> crossed = checks("""
                axes:
                  model.d_model: [16, 32, 64]
                  train.steps: [10, 40, 160]
                  optim.lr: [0.001, 0.003, 0.01]
                """);
        assertTrue(find(crossed, "all runs", "Step Law cN").identifiable());
        assertTrue(find(crossed, "all runs", "Step Law cD").identifiable());
        assertTrue(find(crossed, "all runs", "loss surface").identifiable());
        PlanChecks.Check kD = find(crossed, "all runs", "Step Law kD");
        assertFalse(kD.identifiable(), "batch never swept");
        assertTrue(kD.why().contains("not swept"), kD.why());
    }

    @Test
    void seedsLrPointsAndBatchesAreCounted() {
        // a fixed token budget, so that each batch is a point of the same (N, D) cell
        List<PlanChecks.Check> c = PlanChecks.of(Planner.plan("sweep: t\n" + RUN.replace("steps: 10", "tokens: 1280") + """
                axes:
                  train.batch_size: [2, 4, 8]
                  optim.lr: [0.001, 0.003]
                  seed: [1, 2, 3]
                """, "test spec", Path.of(".")));
        assertTrue(find(c, "all runs", "noise floor").identifiable());
        PlanChecks.Check optima = find(c, "all runs", "cell optima");
        assertFalse(optima.identifiable(), "two LRs locate no optimum");
        assertTrue(find(c, "all runs", "Power: eta_opt/B flat").identifiable(), "3 batches per D");
        assertFalse(find(c, "all runs", "width transfer").identifiable());
    }

    @Test
    void aPowerScheduleThatNeverLeavesItsCapIsFlagged() {
        String sched = "schedule: {type: power, a: 4.0, b: -0.51, warmup_steps: 0, decay_fraction: 0.0}";
        List<PlanChecks.Check> hot = PlanChecks.of(Planner.plan("sweep: t\n" + RUN.replace(
                "schedule: {type: cosine, warmup_steps: 0}", sched) + """
                axes:
                  optim.lr: [0.02, 100.0]
                """, "test spec", Path.of(".")));
        PlanChecks.Check cap = find(hot, "all runs", "Power schedule leaves its cap");
        assertFalse(cap.identifiable(), cap.why());
        assertTrue(cap.why().startsWith("1 of 2"), cap.why());
    }

    @Test
    void anEmbeddingLrRaisedWithWidthIsOneFamily() {
        List<PlanChecks.Check> c = checks("""
                axes:
                  arm:
                    merge:
                      - {model: {d_model: 16}, param: {type: sp}}
                      - {model: {d_model: 32}, param: {type: sp}}
                      - {model: {d_model: 32}, param: {type: sp, base_width: 16, embedding_lr_mult: 2}}
                      - {model: {d_model: 64}, param: {type: sp, base_width: 16, embedding_lr_mult: 4}}
                      - {model: {d_model: 128}, param: {type: sp, base_width: 16, embedding_lr_mult: 8}}
                  optim.lr: [0.001, 0.003, 0.01]
                """);
        assertEquals(2, c.stream().map(PlanChecks.Check::family).distinct().count(), "plain SP and SP with raised embedding LR");
        assertTrue(find(c, "param.embedding_lr_mult=x m_N", "width transfer").identifiable());
    }
}
