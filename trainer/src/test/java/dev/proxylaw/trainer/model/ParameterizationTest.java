package dev.proxylaw.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import dev.proxylaw.trainer.optim.AdamW;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ParameterizationTest {
    static final OptimConfig OPT = new OptimConfig(1e-2, null, null, 1e-8, 0.1, "coupled", 1.0, null);

    static ModelConfig model(int width, int depth) {
        return new ModelConfig(17, width, depth, 4, 8, false, true, true, null, null, null);
    }

    static ParamConfig param(String type, double alpha) {
        return new ParamConfig(type, 32, 2, alpha, 2.0, "table");
    }

    @Test
    void atTheBaseShapeEveryParameterizationIsSp() {
        ModelConfig base = model(32, 2);
        Parameterization sp = Parameterization.of(base, param("sp", 0), OPT);
        Batch batch = new Batch(2, 8, new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                new int[] {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0});
        Map<String, INDArray> spAfter = oneStep(base, sp, batch);
        for (Parameterization other : new Parameterization[] {
            Parameterization.of(base, param("mup", 0), OPT),
            Parameterization.of(base, param("depth", 1.0), OPT),
            Parameterization.of(base, param("depth", 0.5), OPT)}) {
            assertEquals(sp.groups(), other.groups(), other.type());
            assertEquals(sp.attnScale(), other.attnScale(), 0.0);
            assertEquals(sp.resMult(), other.resMult(), 0.0);
            assertEquals(sp.outMult(), other.outMult(), 0.0);
            assertEquals(sp.hiddenInitStd(), other.hiddenInitStd(), 0.0);
            Map<String, INDArray> after = oneStep(base, other, batch);
            spAfter.forEach((name, v) -> assertEquals(v, after.get(name), other.type() + " " + name));
        }
    }

    /** Parameters after one AdamW step from the same seed and batch, float64. */
    static Map<String, INDArray> oneStep(ModelConfig m, Parameterization pz, Batch batch) {
        Gpt gpt = new Gpt(m, pz, 1e-3, DataType.DOUBLE, 11);
        gpt.forwardBackward(batch);
        new AdamW(gpt.params().values(), pz, 0.9, 0.95, false).step(1e-2, 1e-2, 1.0);
        Map<String, INDArray> out = new java.util.TreeMap<>();
        gpt.params().forEach((k, p) -> out.put(k, p.value().dup()));
        return out;
    }

    @Test
    void mupAtTwiceTheWidthFollowsTheTable() {
        Parameterization p = Parameterization.of(model(64, 2), param("mup", 0), OPT);
        assertEquals(2.0, p.mN(), 0.0);
        assertEquals(new Parameterization.GroupSettings(0.5, 0.2, 0.5e-8), p.group(Group.HIDDEN));
        assertEquals(new Parameterization.GroupSettings(1.0, 0.0, 0.5e-8), p.group(Group.BLOCK_VEC));
        assertEquals(new Parameterization.GroupSettings(2.0, 0.1, 1e-8), p.group(Group.EMBED));   // embedding LR x2
        assertEquals(new Parameterization.GroupSettings(1.0, 0.1, 1e-8), p.group(Group.UNEMBED));
        assertEquals(0.5, p.outMult(), 0.0);
        assertEquals(Math.sqrt(8.0) / 16.0, p.attnScale(), 1e-15);   // sqrt(hd_base) / hd
        assertEquals(0.02 / Math.sqrt(2), p.hiddenInitStd(), 1e-15);
        assertEquals(0.02, p.embedInitStd(), 0.0);
    }

    @Test
    void completePAtFourTimesTheDepthFollowsTheTable() {
        Parameterization p = Parameterization.of(model(64, 8), param("depth", 1.0), OPT);
        assertEquals(4.0, p.mL(), 0.0);
        assertEquals(0.25, p.resMult(), 0.0);
        assertEquals(new Parameterization.GroupSettings(0.5, 0.2, 1e-8 / 8), p.group(Group.HIDDEN));
        assertEquals(new Parameterization.GroupSettings(1.0, 0.0, 1e-8 / 8), p.group(Group.BLOCK_VEC));
        Parameterization half = Parameterization.of(model(64, 8), param("depth", 0.5), OPT);
        assertEquals(0.5, half.resMult(), 1e-15);
        assertEquals(0.5 * Math.pow(4, -0.5), half.group(Group.HIDDEN).lrScale(), 1e-15);
    }

    @Test
    void referenceVariantAndIndependentDecay() {
        ParamConfig refMup = new ParamConfig("mup", 32, 2, 0.0, 1.0, "reference");
        Parameterization p = Parameterization.of(model(64, 2), refMup, OPT);
        assertEquals(new Parameterization.GroupSettings(0.5, 0.1, 1e-8), p.group(Group.HIDDEN));
        ParamConfig refDepth = new ParamConfig("depth", 32, 2, 1.0, 1.0, "reference");
        Parameterization d = Parameterization.of(model(64, 4), refDepth, OPT);
        assertEquals(1e-8 / 4, d.group(Group.EMBED).eps(), 1e-24);   // eps scaled in every group
        OptimConfig independent = new OptimConfig(1e-2, null, null, 1e-8, 0.1, "independent", 1.0, null);
        assertEquals(0.1, Parameterization.of(model(64, 2), param("mup", 0), independent).group(Group.HIDDEN).weightDecay(), 0.0);
    }

    @Test
    void independentDecayScalesWithTheScheduleNotTheLr() {
        ModelConfig m = model(32, 2);
        Parameterization pz = Parameterization.of(m, param("sp", 0), OPT);
        Gpt gpt = new Gpt(m, pz, 0, DataType.DOUBLE, 1);
        gpt.params().values().forEach(p -> p.grad().assign(0));   // zero gradient: only the decay acts
        Param wte = gpt.param("wte");
        INDArray before = wte.value().dup();
        // s_t = lr / peak = 0.5; theta *= 1 - s_t * lambda, independent of the LR's size
        new AdamW(gpt.params().values(), pz, 0.9, 0.95, true).step(0.005, 0.01, 0.0);
        assertEquals(before.mul(1 - 0.5 * 0.1), wte.value());
        Param ln = gpt.param("h.0.ln1.w");
        assertEquals(1.0, ln.value().getDouble(0), 0.0);   // vectors are never decayed
    }
}
