package dev.proxylaw.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import dev.proxylaw.trainer.optim.AdamW;
import dev.proxylaw.trainer.optim.PackedAdamW;
import dev.proxylaw.trainer.schedule.Schedule;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The model, its gradients and two AdamW steps against PyTorch: fixture written by
 * trainer/src/test/python/make_golden.py (Debian python3-torch), float64 there, float64 and float32 here.
 */
class GoldenTest {
    static Stream<Arguments> cases() throws Exception {
        JsonNode root;
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/gpt_golden.json")) {
            root = new ObjectMapper().readTree(in);
        }
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(Arguments.of(c.get("name").asText(), c, DataType.DOUBLE, 1e-9));
            out.add(Arguments.of(c.get("name").asText(), c, DataType.FLOAT, 2e-4));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void matchesPyTorch(String name, JsonNode c, DataType dtype, double tol) {
        Fixture f = Fixture.of(c);
        ModelConfig model = f.model();
        OptimConfig optim = f.optim();
        Parameterization pz = f.pz();

        // the parameterization table, implemented independently in the generator
        JsonNode mult = c.get("multipliers");
        assertEquals(mult.get("res_mult").asDouble(), pz.resMult(), 1e-15, "res_mult");
        assertEquals(mult.get("out_mult").asDouble(), pz.outMult(), 1e-15, "out_mult");
        assertEquals(mult.get("attn_scale").asDouble(), pz.attnScale(), 1e-15, "attn_scale");
        c.get("groups").fields().forEachRemaining(e -> {
            Parameterization.GroupSettings g = pz.group(Group.valueOf(e.getKey().toUpperCase()));
            assertEquals(e.getValue().get("lr_scale").asDouble(), g.lrScale(), 1e-15, e.getKey() + " lr_scale");
            assertEquals(e.getValue().get("wd").asDouble(), g.weightDecay(), 1e-15, e.getKey() + " wd");
            assertEquals(e.getValue().get("eps").asDouble(), g.eps(), 1e-20, e.getKey() + " eps");
        });

        Gpt gpt = new Gpt(model, pz, optim.zLoss(), dtype, 1);
        assertEquals(names(c.get("params").fieldNames()), new TreeSet<>(gpt.params().keySet()), "parameter names");
        c.get("param_group").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), gpt.param(e.getKey()).group().column(), e.getKey() + " group"));
        c.get("params").fields().forEachRemaining(e -> gpt.param(e.getKey()).value().assign(tensor(e.getValue(), dtype)));

        Batch batch = batch(c);
        assertClose("logits", tensor(c.get("logits"), dtype).reshape(batch.tokens(), model.vocab()), gpt.logits(batch), tol);
        Gpt.Diagnostics d = gpt.forwardBackward(batch);
        assertEquals(c.get("loss").asDouble(), d.loss(), tol * 10, "loss");
        assertEquals(c.get("ce").asDouble(), d.ce(), tol * 10, "ce");
        assertEquals(c.get("z").asDouble(), d.zLoss(), tol * 10, "z");
        c.get("grads").fields().forEachRemaining(e ->
                assertClose("grad " + e.getKey(), tensor(e.getValue(), dtype), gpt.param(e.getKey()).grad(), tol));

        JsonNode sc = c.get("schedule");
        Schedule schedule = new Schedule.Cosine(sc.get("warmup_steps").asInt(), sc.get("min_lr").asDouble(), null);
        Schedule.Horizon horizon = new Schedule.Horizon(sc.get("total_steps").asLong(), batch.tokens(), batch.batch());
        AdamW opt = new AdamW(gpt.params().values(), pz, optim.beta1(), optim.beta2(), false);
        JsonNode steps = c.get("steps");
        for (int s = 0; s < steps.size(); s++) {
            if (s > 0) {
                d = gpt.forwardBackward(batch);
            }
            JsonNode want = steps.get(s);
            double lr = schedule.lr(optim.lr(), s, (long) s * batch.tokens(), horizon);
            assertEquals(want.get("lr").asDouble(), lr, 1e-15, "lr at step " + s);
            assertEquals(want.get("loss").asDouble(), d.loss(), tol * 10, "loss at step " + s);
            AdamW.StepStats st = opt.step(lr, optim.lr(), optim.gradClip());
            assertEquals(want.get("grad_norm").asDouble(), st.gradNorm(), tol * 10, "grad norm at step " + s);
        }
        c.get("params_after").fields().forEachRemaining(e ->
                assertClose("after 2 steps " + e.getKey(), tensor(e.getValue(), dtype), gpt.param(e.getKey()).value(), tol));
    }

    /**
     * The same fixture through a pack: the golden model as member 0 beside a second member of the same
     * shape (its own init, batch and z-loss), so member 0's logits, loss, gradients and two PackedAdamW
     * steps must still be PyTorch's.
     */
    @ParameterizedTest(name = "packed {0} {2}")
    @MethodSource("cases")
    void packMatchesPyTorch(String name, JsonNode c, DataType dtype, double tol) {
        Fixture f = Fixture.of(c);
        ModelConfig model = f.model();
        OptimConfig optim = f.optim();
        Parameterization pz = f.pz();
        Gpt golden = new Gpt(model, pz, optim.zLoss(), dtype, 1);
        c.get("params").fields().forEachRemaining(e -> golden.param(e.getKey()).value().assign(tensor(e.getValue(), dtype)));
        Parameterization other = Parameterization.of(model, ParamConfig.sp(), optim);
        Gpt second = new Gpt(model, other, 0.0, dtype, 2);
        PackedGpt pack = new PackedGpt(List.of(golden, second), List.of(optim.zLoss(), 0.0));

        Batch batch = batch(c);
        int[] shifted = batch.inputs().clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = (shifted[i] + 1) % model.vocab();
        }
        Batch[] batches = {batch, new Batch(batch.batch(), batch.seqLen(), shifted, batch.targets())};
        INDArray logits = pack.logits(batches);
        assertClose("logits", tensor(c.get("logits"), dtype).reshape(batch.tokens(), model.vocab()),
                logits.get(NDArrayIndex.interval(0, batch.tokens()), NDArrayIndex.all()), tol);
        Gpt.Diagnostics[] d = pack.forwardBackward(batches);
        assertEquals(c.get("loss").asDouble(), d[0].loss(), tol * 10, "loss");
        assertEquals(c.get("z").asDouble(), d[0].zLoss(), tol * 10, "z");
        c.get("grads").fields().forEachRemaining(e ->
                assertClose("grad " + e.getKey(), tensor(e.getValue(), dtype), member0(pack.param(e.getKey()).grad()), tol));

        JsonNode sc = c.get("schedule");
        Schedule schedule = new Schedule.Cosine(sc.get("warmup_steps").asInt(), sc.get("min_lr").asDouble(), null);
        Schedule.Horizon horizon = new Schedule.Horizon(sc.get("total_steps").asLong(), batch.tokens(), batch.batch());
        PackedAdamW opt = new PackedAdamW(pack, List.of(new PackedAdamW.Member(pz, optim.beta1(), optim.beta2(), false),
                new PackedAdamW.Member(other, 0.8, 0.99, true)));
        JsonNode steps = c.get("steps");
        for (int s = 0; s < steps.size(); s++) {
            if (s > 0) {
                d = pack.forwardBackward(batches);
            }
            JsonNode want = steps.get(s);
            double lr = schedule.lr(optim.lr(), s, (long) s * batch.tokens(), horizon);
            assertEquals(want.get("loss").asDouble(), d[0].loss(), tol * 10, "loss at step " + s);
            AdamW.StepStats[] st = opt.step(new double[] {lr, 10 * lr}, new double[] {optim.lr(), optim.lr()},
                    new double[] {optim.gradClip(), 0.0});
            assertEquals(want.get("grad_norm").asDouble(), st[0].gradNorm(), tol * 10, "grad norm at step " + s);
        }
        c.get("params_after").fields().forEachRemaining(e ->
                assertClose("after 2 steps " + e.getKey(), tensor(e.getValue(), dtype), member0(pack.param(e.getKey()).value()), tol));
    }

    private static INDArray member0(INDArray stacked) {
        return PerMember.slices(stacked, (int) stacked.size(0)).getRow(0).dup();
    }

    /** The model, optimizer settings and parameterization a fixture case was made with. */
    record Fixture(ModelConfig model, OptimConfig optim, Parameterization pz) {
        static Fixture of(JsonNode c) {
            JsonNode m = c.get("model");
            JsonNode pc = c.get("param");
            JsonNode oc = c.get("optim");
            ModelConfig model = new ModelConfig(m.get("vocab").asInt(), m.get("d_model").asInt(), m.get("n_layers").asInt(),
                    m.get("n_heads").asInt(), m.get("seq_len").asInt(), m.get("tied").asBoolean(), m.get("bias").asBoolean(),
                    m.get("qk_layernorm").asBoolean(), "auto", null, null);
            ParamConfig param = new ParamConfig(pc.get("type").asText(), pc.get("base_width").asInt(),
                    pc.get("base_depth").asInt(), pc.get("alpha").asDouble(), pc.get("embedding_lr_mult").asDouble(), "table");
            OptimConfig optim = new OptimConfig(oc.get("lr").asDouble(), oc.get("beta1").asDouble(), oc.get("beta2").asDouble(),
                    oc.get("eps").asDouble(), oc.get("weight_decay").asDouble(), "coupled", oc.get("grad_clip").asDouble(),
                    m.get("z_loss").asDouble());
            return new Fixture(model, optim, Parameterization.of(model, param, optim));
        }
    }

    static Batch batch(JsonNode c) {
        JsonNode in = c.get("inputs");
        JsonNode tg = c.get("targets");
        int b = in.size();
        int t = in.get(0).size();
        int[] x = new int[b * t];
        int[] y = new int[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                x[i * t + j] = in.get(i).get(j).asInt();
                y[i * t + j] = tg.get(i).get(j).asInt();
            }
        }
        return new Batch(b, t, x, y);
    }

    static INDArray tensor(JsonNode node, DataType dtype) {
        JsonNode shape = node.get("shape");
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape.get(i).asLong();
        }
        JsonNode data = node.get("data");
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = data.get(i).asDouble();
        }
        return Nd4j.create(v, s, dtype);
    }

    /** Max |a - b| relative to max(1, max |a|) under {@code tol}. */
    static void assertClose(String what, INDArray want, INDArray got, double tol) {
        INDArray w = want.castTo(DataType.DOUBLE).reshape(want.length());
        INDArray g = got.castTo(DataType.DOUBLE).reshape(got.length());
        assertEquals(w.length(), g.length(), what + " size");
        double scale = Math.max(1e-3, w.amaxNumber().doubleValue());
        double err = w.sub(g).amaxNumber().doubleValue() / scale;
        assertTrue(err < tol, what + ": max relative error " + err + " >= " + tol);
    }

    private static TreeSet<String> names(java.util.Iterator<String> it) {
        TreeSet<String> out = new TreeSet<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
