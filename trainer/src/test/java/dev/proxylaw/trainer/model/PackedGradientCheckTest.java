package dev.proxylaw.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The packed backward pass against central finite differences, in float64, for every element of every
 * stacked parameter of a pack of three tiny models that differ in every per-member scalar the pack
 * carries: SP, muP (m_N = 2: output multiplier, attention scale, init) and depth alpha = 1 (m_L = 2:
 * residual multiplier), each with its own z-loss coefficient and batch. The loss differentiated is the
 * sum of the members' losses: members share nothing, so its gradient in member k's slice must be member
 * k's own gradient, and a slice leaking into another member shows up as a wrong element. Same model
 * sizes, step, criterion, random vectors and batches as {@link GradientCheckTest}.
 */
class PackedGradientCheckTest {
    private static final int VOCAB = 7;
    private static final int D_MODEL = 6;
    private static final int N_HEADS = 2;
    private static final int N_LAYERS = 2;
    private static final int SEQ_LEN = 4;
    private static final double H = 1e-5;
    private static final double FLOOR = 1e-4;
    private static final double TOL = 1e-5;

    record Shape(String name, boolean qkLayernorm, boolean tied, boolean bias) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> shapes() {
        return Stream.of(new Shape("untied with biases", false, false, true),
                new Shape("qk_layernorm, tied, no bias", true, true, false)).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void packedGradientMatchesFiniteDifferences(Shape s) {
        ModelConfig model = new ModelConfig(VOCAB, D_MODEL, N_LAYERS, N_HEADS, SEQ_LEN, s.tied(), s.bias(),
                s.qkLayernorm(), "auto", 0.3, null);
        List<ParamConfig> params = List.of(ParamConfig.sp(),
                new ParamConfig("mup", D_MODEL / 2, null, null, null, null),
                new ParamConfig("depth", null, 1, 1.0, null, null));
        List<Double> zLoss = List.of(0.0, 1e-2, 3e-2);
        List<Gpt> members = new ArrayList<>();
        for (int m = 0; m < params.size(); m++) {
            Parameterization pz = Parameterization.of(model, params.get(m), OptimConfig.defaults());
            Gpt g = new Gpt(model, pz, zLoss.get(m), DataType.DOUBLE, 7 + m);
            GradientCheckTest.randomizeVectors(g, new SplittableRandom(11 + m));
            members.add(g);
        }
        PackedGpt pack = new PackedGpt(members, zLoss);
        int k = pack.members();
        Batch[] batches = new Batch[k];
        for (int m = 0; m < k; m++) {
            batches[m] = GradientCheckTest.randomBatch(new SplittableRandom(13 + m));
        }
        assertEquals(0.5, pack.parameterization(1).outMult(), 0.0, "member 1 is muP at m_N = 2");
        assertEquals(0.5, pack.parameterization(2).resMult(), 0.0, "member 2 is depth alpha = 1 at m_L = 2");

        Gpt.Diagnostics[] d = pack.forwardBackward(batches);
        // each member's loss is its solo model's loss on its batch
        for (int m = 0; m < k; m++) {
            assertEquals(members.get(m).evaluate(batches[m]).loss(), d[m].loss(), 1e-12, "member " + m + " loss");
        }
        assertTrue(d[2].zLoss() > 1e-3, "z-loss term carries signal: " + d[2].zLoss());

        double maxRel = 0;
        String worst = "";
        long checked = 0;
        List<String> failures = new ArrayList<>();
        for (Param p : pack.params().values()) {
            INDArray value = p.value();
            double[] grad = p.grad().dup().reshape(p.grad().length()).toDoubleVector();
            long perMember = value.length() / k;
            double[] maxNumeric = new double[k];
            for (int i = 0; i < grad.length; i++) {
                double orig = value.getDouble(i);
                value.putScalar(i, orig + H);
                double plus = total(pack.evaluate(batches));
                value.putScalar(i, orig - H);
                double minus = total(pack.evaluate(batches));
                value.putScalar(i, orig);
                double numeric = (plus - minus) / (2 * H);
                double rel = Math.abs(grad[i] - numeric) / Math.max(FLOOR, Math.abs(grad[i]) + Math.abs(numeric));
                if (rel > maxRel) {
                    maxRel = rel;
                    worst = p.name() + "[" + i + "]";
                }
                if (!(rel < TOL) && failures.size() < 20) {
                    failures.add(p.name() + "[" + i + "] member " + i / perMember + ": analytic " + grad[i]
                            + " numeric " + numeric + " rel " + rel);
                }
                int m = (int) (i / perMember);
                maxNumeric[m] = Math.max(maxNumeric[m], Math.abs(numeric));
                checked++;
            }
            for (int m = 0; m < k; m++) {
                assertTrue(maxNumeric[m] > 1e-4, p.name() + " of member " + m + " has no gradient signal");
            }
        }
        System.out.printf("packed gradient check %-28s %6d elements, max relative error %.2e at %s%n", s.name(), checked,
                maxRel, worst);
        assertTrue(failures.isEmpty(), s.name() + ": " + failures.size() + "+ elements off (tolerance " + TOL + "):\n"
                + String.join("\n", failures));
    }

    private static double total(Gpt.Diagnostics[] d) {
        double sum = 0;
        for (Gpt.Diagnostics x : d) {
            sum += x.loss();
        }
        return sum;
    }
}
