package dev.proxylaw.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hand-written backward pass against central finite differences of the forward pass, in float64,
 * for every element of every parameter of a tiny model (vocab 7, d_model 6, 2 heads of 3, 2 layers,
 * seq_len 4, batch 2). Each variant switches one feature on over an untied base with biases.
 *
 * <p>Criterion: |a - n| / max(1e-4, |a| + |n|) < 1e-5 for analytic a and numeric n = (L(w+h) - L(w-h)) / 2h,
 * h = 1e-5. Measured for a correct backward: at most about 4e-7 relative and 2e-9 absolute, so the
 * tolerance leaves a margin of over 20. The floor is there because some gradients are exactly zero (the
 * key bias: softmax ignores a per-row shift) or tiny, and there the numeric side is only rounding noise
 * of the loss, 1e-16 * L / h ~ 1e-11 to 1e-10, which a 1e-6 floor would turn into a "relative error" of
 * 1e-4; with 1e-4 a gradient below the floor must still agree to 1e-9 absolute. A wrong backward (a
 * dropped multiplier, a missed term, a transposed product) is off by a fraction of the gradient itself:
 * mutating Gpt.java's backward (attention scale, residual multiplier, output multiplier, the z-loss
 * factor 2, the tied accumulation, the k-norm weight) gave relative errors of 0.3 to 1.
 */
class GradientCheckTest {
    private static final int VOCAB = 7;
    private static final int D_MODEL = 6;
    private static final int N_HEADS = 2;
    private static final int N_LAYERS = 2;
    private static final int SEQ_LEN = 4;
    private static final int BATCH = 2;
    private static final double H = 1e-5;
    private static final double FLOOR = 1e-4;
    private static final double TOL = 1e-5;

    /** One variant: what it switches on over the base. */
    record Variant(String name, boolean qkLayernorm, double zLoss, ParamConfig param, boolean tied, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> variants() {
        ParamConfig sp = ParamConfig.sp();
        return Stream.of(
                new Variant("base sp", false, 0.0, sp, false, true),
                new Variant("qk_layernorm", true, 0.0, sp, false, true),
                new Variant("z-loss 1e-2", false, 1e-2, sp, false, true),
                // m_N = 2: hidden init / sqrt(2), output multiplier 1/2, attention scale sqrt(hd_base)/hd
                new Variant("mup m_N=2", false, 0.0, new ParamConfig("mup", D_MODEL / 2, null, null, null, null), false, true),
                // m_L = 2, alpha = 1: residual branches multiplied by 1/2
                new Variant("depth alpha=1 m_L=2", false, 0.0, new ParamConfig("depth", null, 1, 1.0, null, null), false, true),
                new Variant("tied, no bias", false, 0.0, sp, true, false))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void analyticGradientMatchesFiniteDifferences(Variant v) {
        // init_std 0.3 instead of 0.02: logits and attention scores of order 1, so every path carries signal
        ModelConfig model = new ModelConfig(VOCAB, D_MODEL, N_LAYERS, N_HEADS, SEQ_LEN, v.tied(), v.bias(),
                v.qkLayernorm(), "auto", 0.3, null);
        Parameterization pz = Parameterization.of(model, v.param(), OptimConfig.defaults());
        Gpt gpt = new Gpt(model, pz, v.zLoss(), DataType.DOUBLE, 7);
        randomizeVectors(gpt, new SplittableRandom(11));
        Batch batch = randomBatch(new SplittableRandom(13));

        // the variant really is what it claims to be
        switch (v.param().type()) {
            case "mup" -> {
                assertEquals(2.0, pz.mN(), 0.0, "m_N");
                assertEquals(0.5, pz.outMult(), 0.0, "output multiplier");
                assertTrue(Math.abs(pz.attnScale() - 1.0 / Math.sqrt(model.headDim())) > 1e-3, "muP attention scale");
            }
            case "depth" -> {
                assertEquals(2.0, pz.mL(), 0.0, "m_L");
                assertEquals(0.5, pz.resMult(), 0.0, "residual multiplier");
            }
            default -> {
                assertEquals(1.0, pz.outMult(), 0.0, "output multiplier");
                assertEquals(1.0, pz.resMult(), 0.0, "residual multiplier");
            }
        }
        assertEquals(v.qkLayernorm(), gpt.params().containsKey("h.0.attn.q_ln.w"), "qk-norm parameters");
        assertEquals(v.bias(), gpt.params().containsKey("lnf.b"), "bias parameters");
        assertEquals(!v.tied(), gpt.params().containsKey("head"), "untied head");

        Gpt.Diagnostics d = gpt.forwardBackward(batch);
        Map<String, double[]> analytic = new HashMap<>();
        gpt.params().forEach((name, p) -> analytic.put(name, flat(p.grad())));
        // gradients are overwritten, not accumulated: a second pass gives the same ones
        gpt.forwardBackward(batch);
        gpt.params().forEach((name, p) -> assertArrayEquals(analytic.get(name), flat(p.grad()), 0.0,
                name + " gradient changes on a second forwardBackward"));
        assertEquals(d.loss(), gpt.evaluate(batch).loss(), 1e-12, "forwardBackward and evaluate agree on the loss");
        if (v.zLoss() > 0) {
            assertTrue(d.zLoss() > 1e-3, "z-loss term carries signal: " + d.zLoss());
        }

        double maxRel = 0;
        double maxAbsErr = 0;
        String worst = "";
        long checked = 0;
        long expected = 0;
        TreeSet<String> checkedNames = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        List<String> silent = new ArrayList<>();
        for (Map.Entry<String, Param> e : gpt.params().entrySet()) {
            String name = e.getKey();
            INDArray value = e.getValue().value();
            double[] grad = analytic.get(name);
            assertEquals(value.length(), grad.length, name + " gradient size");
            expected += value.length();
            double maxNumeric = 0;
            for (int i = 0; i < grad.length; i++) {
                double orig = value.getDouble(i);
                value.putScalar(i, orig + H);
                double plus = gpt.evaluate(batch).loss();
                value.putScalar(i, orig - H);
                double minus = gpt.evaluate(batch).loss();
                value.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * H);
                double a = grad[i];
                double rel = Math.abs(a - numeric) / Math.max(FLOOR, Math.abs(a) + Math.abs(numeric));
                if (rel > maxRel) {
                    maxRel = rel;
                    worst = name + "[" + i + "]";
                }
                if (!(rel < TOL) && failures.size() < 20) {
                    failures.add(name + "[" + i + "]: analytic " + a + " numeric " + numeric + " rel " + rel);
                }
                maxNumeric = Math.max(maxNumeric, Math.abs(numeric));
                maxAbsErr = Math.max(maxAbsErr, Math.abs(a - numeric));
                checked++;
            }
            // every parameter is on a path to the loss: one whose loss never moves would check nothing
            if (!(maxNumeric > 1e-4)) {
                silent.add(name + " (max |numeric grad| " + maxNumeric + ")");
            }
            checkedNames.add(name);
        }
        System.out.printf("gradient check %-20s %5d elements of %2d params, max relative error %.2e at %s,"
                + " max absolute error %.2e%n", v.name(), checked, checkedNames.size(), maxRel, worst, maxAbsErr);
        assertEquals(d.loss(), gpt.evaluate(batch).loss(), 0.0, "parameters restored exactly");
        assertEquals(new TreeSet<>(gpt.params().keySet()), checkedNames, "every parameter checked");
        assertEquals(expected, checked, "every element checked");
        assertTrue(failures.isEmpty(), v.name() + ": " + failures.size() + "+ elements off (tolerance " + TOL + "):\n"
                + String.join("\n", failures));
        assertTrue(silent.isEmpty(), v.name() + ": parameters without gradient signal: " + silent);
    }

    private static double[] flat(INDArray a) {
        return a.dup().reshape(a.length()).toDoubleVector();
    }

    /** LayerNorm weights 1 + N(0, 0.3^2), biases N(0, 0.3^2): away from 1 and 0 so every term shows. */
    static void randomizeVectors(Gpt gpt, SplittableRandom rng) {
        for (Param p : gpt.params().values()) {
            if (p.value().rank() != 1) {
                continue;
            }
            double centre = p.name().endsWith(".w") ? 1.0 : 0.0;
            for (long i = 0; i < p.value().length(); i++) {
                p.value().putScalar(i, centre + 0.3 * rng.nextGaussian());
            }
        }
    }

    static Batch randomBatch(SplittableRandom rng) {
        int[] x = new int[BATCH * SEQ_LEN];
        int[] y = new int[BATCH * SEQ_LEN];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(VOCAB);
            y[i] = rng.nextInt(VOCAB);
        }
        return new Batch(BATCH, SEQ_LEN, x, y);
    }
}
