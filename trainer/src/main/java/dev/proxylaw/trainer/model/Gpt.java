package dev.proxylaw.trainer.model;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A decoder-only GPT: token + learned position embeddings, L pre-LN blocks (causal multi-head
 * attention, GELU MLP of width 4d), final LayerNorm, unembedding (tied or untied). Forward and
 * backward are written by hand over ND4J operations.
 *
 * <p>Shapes: B sequences, T tokens, C = d_model, H heads, hd = C/H, V vocab, BT = B*T rows.
 * Weight matrices are [in, out] and applied as x @ W. Parameter names match the golden fixture.
 */
public final class Gpt {
    private final ModelConfig cfg;
    private final Parameterization pz;
    private final DataType dtype;
    private final int vocab;
    private final int nEmbd;
    private final int nHead;
    private final int headDim;
    private final int nLayer;
    /** z-loss coefficient: loss += z * mean over tokens of (log Z)^2. */
    private final double zLossCoef;
    private final Map<String, Param> params = new LinkedHashMap<>();
    private final Map<Integer, INDArray> causalMasks = new HashMap<>();

    /** Per-step diagnostics the forward pass measures on the way (science.md, "What every run must record"). */
    public record Diagnostics(double loss, double ce, double zLoss, double[] maxAttnLogit, double[] actAbsMean,
                              double logitMean, double logZMean) {
    }

    public Gpt(ModelConfig cfg, Parameterization pz, double zLoss, DataType dtype, long seed) {
        if (cfg.vocab() == null) {
            throw new IllegalArgumentException("Cannot build model: vocab is not set (the tokenizer decides it).");
        }
        this.cfg = cfg;
        this.pz = pz;
        this.dtype = dtype;
        this.vocab = cfg.vocab();
        this.nEmbd = cfg.dModel();
        this.nHead = cfg.nHeads();
        this.headDim = cfg.headDim();
        this.nLayer = cfg.nLayers();
        this.zLossCoef = zLoss;
        SplittableRandom root = new SplittableRandom(seed);
        double s = pz.embedInitStd();
        double sh = pz.hiddenInitStd();
        normal("wte", Group.EMBED, s, root, vocab, nEmbd);
        normal("wpe", Group.EMBED, s, root, cfg.seqLen(), nEmbd);
        for (int i = 0; i < nLayer; i++) {
            String p = "h." + i + ".";
            constant(p + "ln1.w", Group.BLOCK_VEC, 1.0, nEmbd);
            biasParam(p + "ln1.b", nEmbd);
            normal(p + "attn.wqkv", Group.HIDDEN, sh, root, nEmbd, 3L * nEmbd);
            biasParam(p + "attn.bqkv", 3L * nEmbd);
            if (cfg.qkLayernorm()) {
                constant(p + "attn.q_ln.w", Group.BLOCK_VEC, 1.0, headDim);
                constant(p + "attn.k_ln.w", Group.BLOCK_VEC, 1.0, headDim);
            }
            normal(p + "attn.wo", Group.HIDDEN, sh, root, nEmbd, nEmbd);
            biasParam(p + "attn.bo", nEmbd);
            constant(p + "ln2.w", Group.BLOCK_VEC, 1.0, nEmbd);
            biasParam(p + "ln2.b", nEmbd);
            normal(p + "mlp.wfc", Group.HIDDEN, sh, root, nEmbd, 4L * nEmbd);
            biasParam(p + "mlp.bfc", 4L * nEmbd);
            normal(p + "mlp.wproj", Group.HIDDEN, sh, root, 4L * nEmbd, nEmbd);
            biasParam(p + "mlp.bproj", nEmbd);
        }
        constant("lnf.w", Group.OUT_VEC, 1.0, nEmbd);
        if (cfg.bias()) {
            constant("lnf.b", Group.OUT_VEC, 0.0, nEmbd);
        }
        if (!cfg.tiedEmbeddings()) {
            normal("head", Group.UNEMBED, s, root, nEmbd, vocab);
        }
    }

    private void biasParam(String name, long n) {
        if (cfg.bias()) {
            constant(name, Group.BLOCK_VEC, 0.0, n);
        }
    }

    private void normal(String name, Group g, double std, SplittableRandom root, long rows, long cols) {
        // one stream per parameter, split in declaration order: deterministic in the seed
        SplittableRandom rng = root.split();
        double[] data = new double[Math.toIntExact(rows * cols)];
        for (int i = 0; i < data.length; i++) {
            data[i] = rng.nextGaussian() * std;
        }
        params.put(name, new Param(name, g, Nd4j.create(data, new long[] {rows, cols}, dtype)));
    }

    private void constant(String name, Group g, double value, long n) {
        params.put(name, new Param(name, g, Nd4j.valueArrayOf(new long[] {n}, value, dtype)));
    }

    public Map<String, Param> params() {
        return Collections.unmodifiableMap(params);
    }

    public Param param(String name) {
        return params.get(name);
    }

    public Parameterization parameterization() {
        return pz;
    }

    public ModelConfig config() {
        return cfg;
    }

    public DataType dtype() {
        return dtype;
    }

    /** Loss and diagnostics without gradients (validation). */
    public Diagnostics evaluate(Batch batch) {
        return Workspaces.run("gpt-eval", () -> new Pass(batch, false).run());
    }

    /** Loss, diagnostics, and every parameter's gradient (overwritten, not accumulated). */
    public Diagnostics forwardBackward(Batch batch) {
        return Workspaces.run("gpt-step", () -> {
            Pass pass = new Pass(batch, true);
            Diagnostics d = pass.run();
            pass.backward();
            return d;
        });
    }

    /** Logits of a batch, (BT, V) row-major; for tests against the golden file. */
    public INDArray logits(Batch batch) {
        return Workspaces.run("gpt-eval", () -> {
            Pass pass = new Pass(batch, false);
            pass.run();
            return pass.logits.detach();
        });
    }

    private INDArray causalMask(int t) {
        return causalMasks.computeIfAbsent(t, k -> causalMask(t, dtype));
    }

    /** Additive mask flattened to one row of T*T: 0 where key <= query, -1e9 above the diagonal; lives outside any workspace. */
    static INDArray causalMask(int t, DataType dtype) {
        return Workspaces.outside(() -> {
            double[] m = new double[t * t];
            for (int q = 0; q < t; q++) {
                for (int j = q + 1; j < t; j++) {
                    m[q * t + j] = -1e9;
                }
            }
            return Nd4j.create(m, new long[] {1, (long) t * t}, dtype);
        });
    }

    /** Rows of the identity for token ids, (ids, V); an id outside the vocabulary is refused. */
    static INDArray oneHot(int[] ids, int vocab, DataType dtype) {
        Fused.checkIds(ids, ids.length, vocab);
        INDArray out = Nd4j.zeros(dtype, ids.length, vocab);
        for (int i = 0; i < ids.length; i++) {
            out.putScalar(i, ids[i], 1.0);
        }
        return out;
    }

    /** Activations one block keeps for its backward pass. */
    private static final class BlockCache {
        LayerNorm.Cache ln1;
        INDArray ln1Out;    // (BT, C)
        LayerNorm.Cache qLn;
        LayerNorm.Cache kLn;
        INDArray q;         // (BH, T, hd), after qk-norm if on
        INDArray k;
        INDArray v;
        INDArray att;       // (BH, T, T) softmax probabilities
        INDArray yMerged;   // (BT, C) heads merged, before the output projection
        LayerNorm.Cache ln2;
        INDArray ln2Out;
        INDArray hFc;       // (BT, 4C) pre-activation
        INDArray gelu;      // (BT, 4C)
        INDArray geluTanh;  // (BT, 4C) tanh(u) of the GELU
    }

    /** One forward (and optionally backward) pass over a batch. */
    private final class Pass {
        final int b;
        final int t;
        final int bt;
        final int[] inputs;
        final int[] targets;
        final boolean keep;
        final List<BlockCache> caches = new ArrayList<>();
        LayerNorm.Cache lnf;
        INDArray lnfOut;
        INDArray logits;     // (BT, V), after the output multiplier
        INDArray probs;      // (BT, V)
        INDArray logZ;       // (BT, 1)
        INDArray targetHot;  // (BT, V)
        Fused.CrossEntropy ce;   // the fused code's softmax and log Z, in place of the three above

        Pass(Batch batch, boolean keep) {
            if (batch.seqLen() > cfg.seqLen()) {
                throw new IllegalArgumentException("Cannot run batch: seq_len " + batch.seqLen()
                        + " exceeds the model's " + cfg.seqLen() + ".");
            }
            this.b = batch.batch();
            this.t = batch.seqLen();
            this.bt = b * t;
            this.inputs = batch.inputs();
            this.targets = batch.targets();
            this.keep = keep;
        }

        Diagnostics run() {
            double[] maxLogit = new double[nLayer];
            double[] actAbs = new double[nLayer];
            // x = wte[idx] + wpe[0:T]
            INDArray x = Nd4j.pullRows(param("wte").value(), 1, inputs);                       // (BT, C)
            INDArray wpe = param("wpe").value().get(NDArrayIndex.interval(0, t), NDArrayIndex.all());
            x.reshape(b, (long) t * nEmbd).addiRowVector(wpe.reshape(1, (long) t * nEmbd));
            for (int i = 0; i < nLayer; i++) {
                BlockCache c = new BlockCache();
                x = block(i, x, c, maxLogit);
                actAbs[i] = x.norm1Number().doubleValue() / x.length();
                if (keep) {
                    caches.add(c);
                }
            }
            LayerNorm.Cache[] lc = new LayerNorm.Cache[1];
            lnfOut = LayerNorm.forward(x, param("lnf.w"), params.get("lnf.b"), cfg.lnEps(), lc);
            lnf = lc[0];
            logits = cfg.tiedEmbeddings()
                    ? Bmm.mm2(lnfOut, param("wte").value(), false, true)
                    : Bmm.mm2(lnfOut, param("head").value(), false, false);
            if (Fused.ON) {
                ce = Fused.crossEntropy(logits, targets, new double[] {pz.outMult()});
                double ceLoss = (ce.logZSum()[0] - ce.targetSum()[0]) / bt;
                double z = zLossCoef == 0 ? 0.0 : zLossCoef * ce.logZSqSum()[0] / bt;
                return new Diagnostics(ceLoss + z, ceLoss, z, maxLogit, actAbs, ce.logitSum()[0] / ((double) bt * vocab),
                        ce.logZSum()[0] / bt);
            }
            if (pz.outMult() != 1.0) {
                logits.muli(pz.outMult());
            }
            // log Z = logsumexp over the vocabulary, stable form; p = softmax(logits)
            INDArray rowMax = logits.max(true, 1);                                             // (BT, 1)
            INDArray e = Transforms.exp(logits.subColumnVector(rowMax), false);
            INDArray sum = e.sum(true, 1);
            logZ = Transforms.log(sum, true).addi(rowMax);
            probs = e.diviColumnVector(sum);
            targetHot = oneHot(targets, vocab, dtype);
            double targetLogitSum = logits.mul(targetHot).sumNumber().doubleValue();
            double logZSum = logZ.sumNumber().doubleValue();
            double ce = (logZSum - targetLogitSum) / bt;
            double z = zLossCoef == 0 ? 0.0 : zLossCoef * logZ.mul(logZ).sumNumber().doubleValue() / bt;
            return new Diagnostics(ce + z, ce, z, maxLogit, actAbs, logits.meanNumber().doubleValue(), logZSum / bt);
        }

        private INDArray block(int i, INDArray x, BlockCache c, double[] maxLogit) {
            String p = "h." + i + ".";
            double r = pz.resMult();
            LayerNorm.Cache[] lc = new LayerNorm.Cache[1];
            c.ln1Out = LayerNorm.forward(x, param(p + "ln1.w"), params.get(p + "ln1.b"), cfg.lnEps(), lc);
            c.ln1 = lc[0];
            INDArray qkv = linear(c.ln1Out, param(p + "attn.wqkv"), params.get(p + "attn.bqkv"));     // (BT, 3C)
            // (BT, 3C) -> (B, T, 3, H, hd) -> (3, B, H, T, hd) -> (3, BH, T, hd)
            INDArray heads = qkv.reshape(b, t, 3, nHead, headDim).permute(2, 0, 3, 1, 4).dup('c')
                    .reshape(3, (long) b * nHead, t, headDim);
            c.q = heads.slice(0);
            c.k = heads.slice(1);
            c.v = heads.slice(2);
            if (cfg.qkLayernorm()) {
                c.q = headNorm(c.q, param(p + "attn.q_ln.w"), lc);
                c.qLn = lc[0];
                c.k = headNorm(c.k, param(p + "attn.k_ln.w"), lc);
                c.kLn = lc[0];
            }
            int bh = b * nHead;
            INDArray scores = Bmm.mm(c.q, c.k, false, true);                         // (BH, T, T)
            if (Fused.ON) {
                maxLogit[i] = Fused.causalSoftmax(scores, t, new double[] {pz.attnScale()})[0];
                c.att = scores;
            } else {
                scores.muli(pz.attnScale()).reshape(bh, (long) t * t).addiRowVector(causalMask(t));
                maxLogit[i] = scores.maxNumber().doubleValue();
                INDArray scores2 = scores.reshape((long) bh * t, t);
                c.att = Nd4j.exec(new SoftMax(scores2, scores2, 1))[0].reshape(bh, t, t);
            }
            INDArray y = Bmm.mm(c.att, c.v, false, false);                                              // (BH, T, hd)
            // (BH, T, hd) -> (B, H, T, hd) -> (B, T, H, hd) -> (BT, C)
            c.yMerged = y.reshape(b, nHead, t, headDim).permute(0, 2, 1, 3).dup('c').reshape(bt, nEmbd);
            INDArray attnOut = linear(c.yMerged, param(p + "attn.wo"), params.get(p + "attn.bo"));
            INDArray x1 = r == 1.0 ? x.add(attnOut) : x.add(attnOut.muli(r));
            c.ln2Out = LayerNorm.forward(x1, param(p + "ln2.w"), params.get(p + "ln2.b"), cfg.lnEps(), lc);
            c.ln2 = lc[0];
            c.hFc = linear(c.ln2Out, param(p + "mlp.wfc"), params.get(p + "mlp.bfc"));          // (BT, 4C)
            INDArray[] tanh = new INDArray[1];
            c.gelu = Gelu.forward(c.hFc, tanh);
            c.geluTanh = tanh[0];
            INDArray mlpOut = linear(c.gelu, param(p + "mlp.wproj"), params.get(p + "mlp.bproj"));
            return r == 1.0 ? x1.addi(mlpOut) : x1.addi(mlpOut.muli(r));
        }

        /** LayerNorm over the head dimension of (BH, T, hd), scale shared by all heads, no bias. */
        private INDArray headNorm(INDArray z, Param w, LayerNorm.Cache[] lc) {
            long bh = z.size(0);
            return LayerNorm.forward(z.reshape(bh * t, headDim), w, null, cfg.lnEps(), lc).reshape(bh, t, headDim);
        }

        void backward() {
            // d(loss)/d(logits) = ((1 + 2 z log Z) p - onehot) / BT, then through the output multiplier;
            // overwrites probs in place: a pass runs backward at most once
            INDArray dLogits;
            if (ce != null) {
                dLogits = Fused.crossEntropyBackward(ce, targets, new double[] {zLossCoef}, new double[] {pz.outMult() / bt});
            } else {
                INDArray coef = zLossCoef == 0 ? null : logZ.mul(2 * zLossCoef).addi(1.0);
                dLogits = coef == null ? probs : probs.muliColumnVector(coef);
                dLogits.subi(targetHot).muli(pz.outMult() / bt);
            }
            INDArray dx;
            if (cfg.tiedEmbeddings()) {
                Param wte = param("wte");
                Bmm.mm2Into(dLogits, lnfOut, wte.grad(), true, false, 0.0);               // (V, C)
                dx = Bmm.mm2(dLogits, wte.value(), false, false);
            } else {
                Param head = param("head");
                Bmm.mm2Into(lnfOut, dLogits, head.grad(), true, false, 0.0);              // (C, V)
                dx = Bmm.mm2(dLogits, head.value(), false, true);
            }
            dx = LayerNorm.backward(dx, lnf, param("lnf.w"), params.get("lnf.b"));
            for (int i = nLayer - 1; i >= 0; i--) {
                dx = blockBackward(i, dx, caches.get(i));
            }
            // embeddings: d wte = onehot(inputs)^T @ dx (accumulated onto the head's share when tied)
            Param wte = param("wte");
            if (Fused.ON) {
                Fused.embeddingGrad(dx, inputs, 1, vocab, wte.grad(), cfg.tiedEmbeddings());
            } else {
                Bmm.mm2Into(oneHot(inputs, vocab, dtype), dx, wte.grad(), true, false, cfg.tiedEmbeddings() ? 1.0 : 0.0);
            }
            Param wpe = param("wpe");
            wpe.grad().assign(0.0);
            wpe.grad().get(NDArrayIndex.interval(0, t), NDArrayIndex.all())
                    .assign(dx.reshape(b, (long) t * nEmbd).sum(0).reshape(t, nEmbd));
        }

        private INDArray blockBackward(int i, INDArray dx, BlockCache c) {
            String p = "h." + i + ".";
            double r = pz.resMult();
            // x2 = x1 + r * mlp(ln2(x1))
            INDArray dMlp = r == 1.0 ? dx : dx.mul(r);
            INDArray dGelu = linearBackward(c.gelu, dMlp, param(p + "mlp.wproj"), params.get(p + "mlp.bproj"));
            INDArray dH = Gelu.backward(dGelu, c.hFc, c.geluTanh);
            INDArray dLn2 = linearBackward(c.ln2Out, dH, param(p + "mlp.wfc"), params.get(p + "mlp.bfc"));
            dx = dx.add(LayerNorm.backward(dLn2, c.ln2, param(p + "ln2.w"), params.get(p + "ln2.b")));
            // x1 = x0 + r * attn(ln1(x0))
            // with r = 1 dAttn aliases dx: it is fully consumed by the projection's backward before dx.addi below
            INDArray dAttn = r == 1.0 ? dx : dx.mul(r);
            INDArray dY = linearBackward(c.yMerged, dAttn, param(p + "attn.wo"), params.get(p + "attn.bo"));
            int bh = b * nHead;
            // (BT, C) -> (B, T, H, hd) -> (B, H, T, hd) -> (BH, T, hd)
            INDArray dYh = dY.reshape(b, t, nHead, headDim).permute(0, 2, 1, 3).dup('c').reshape(bh, t, headDim);
            INDArray dAtt = Bmm.mm(dYh, c.v, false, true);                        // (BH, T, T)
            INDArray dV = Bmm.mm(c.att, dYh, true, false);                         // (BH, T, hd)
            // softmax backward: dS = att * (dAtt - sum(dAtt * att, -1)) * scale
            INDArray dS;
            if (Fused.ON) {
                dS = Fused.causalSoftmaxBackward(dAtt, c.att, t, new double[] {pz.attnScale()});
            } else {
                INDArray att2 = c.att.reshape((long) bh * t, t);
                INDArray dAtt2 = dAtt.reshape((long) bh * t, t);
                INDArray rowDot = dAtt2.mul(att2).sum(true, 1);
                dS = dAtt2.subiColumnVector(rowDot).muli(att2).muli(pz.attnScale()).reshape(bh, t, t);
            }
            INDArray dQ = Bmm.mm(dS, c.k, false, false);                                                // (BH, T, hd)
            INDArray dK = Bmm.mm(dS, c.q, true, false);                            // (BH, T, hd)
            if (cfg.qkLayernorm()) {
                dQ = LayerNorm.backward(dQ.reshape((long) bh * t, headDim), c.qLn, param(p + "attn.q_ln.w"), null);
                dK = LayerNorm.backward(dK.reshape((long) bh * t, headDim), c.kLn, param(p + "attn.k_ln.w"), null);
            }
            INDArray dHeads = Nd4j.create(dtype, 3, bh, t, headDim);
            dHeads.slice(0).assign(dQ.reshape(bh, t, headDim));
            dHeads.slice(1).assign(dK.reshape(bh, t, headDim));
            dHeads.slice(2).assign(dV);
            // (3, BH, T, hd) -> (3, B, H, T, hd) -> (B, T, 3, H, hd) -> (BT, 3C)
            INDArray dQkv = dHeads.reshape(3, b, nHead, t, headDim).permute(1, 3, 0, 2, 4).dup('c')
                    .reshape(bt, 3L * nEmbd);
            INDArray dLn1 = linearBackward(c.ln1Out, dQkv, param(p + "attn.wqkv"), params.get(p + "attn.bqkv"));
            return dx.addi(LayerNorm.backward(dLn1, c.ln1, param(p + "ln1.w"), params.get(p + "ln1.b")));
        }
    }

    private static INDArray linear(INDArray x, Param w, Param bias) {
        INDArray out = Bmm.mm2(x, w.value(), false, false);
        if (bias != null) {
            out.addiRowVector(bias.value());
        }
        return out;
    }

    /** Writes dW = x^T @ dOut (and db) and returns dx = dOut @ W^T. */
    private static INDArray linearBackward(INDArray x, INDArray dOut, Param w, Param bias) {
        Bmm.mm2Into(x, dOut, w.grad(), true, false, 0.0);
        if (bias != null) {
            bias.grad().assign(dOut.sum(0));
        }
        return Bmm.mm2(dOut, w.value(), false, true);
    }
}
