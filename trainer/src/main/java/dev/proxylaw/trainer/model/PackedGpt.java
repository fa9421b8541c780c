package dev.proxylaw.trainer.model;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * K GPTs of one shape in one pass: the forward and backward of {@link Gpt}, with every parameter stacked
 * along a leading member axis, matrix products batched over members, and every per-member scalar (the
 * parameterization's multipliers, the z-loss coefficient) applied as a {@link PerMember}. Each member
 * sees its own batch and its own parameters; nothing is reduced across members, so a member whose loss
 * goes non-finite cannot touch the others. Every fixed per-operation cost is paid once per pack.
 *
 * <p>Shapes: K members, B sequences, T tokens, C = d_model, H heads, hd = C/H, V vocab, BT = B*T rows per
 * member, KBT = K*BT rows in all, member k owning rows [k*BT, (k+1)*BT). Parameter names and groups are
 * {@link Gpt}'s; a matrix is (K, in, out), a vector (K, n).
 */
public final class PackedGpt {
    private final ModelConfig cfg;
    private final DataType dtype;
    private final int vocab;
    private final int nEmbd;
    private final int nHead;
    private final int headDim;
    private final int nLayer;
    private int k;
    private List<Parameterization> pzs;
    private PerMember resMult;
    private PerMember outMult;
    private PerMember attnScale;
    private PerMember zLoss;
    private Map<String, Param> params = new LinkedHashMap<>();
    private final Map<Integer, INDArray> causalMasks = new HashMap<>();

    /**
     * Stacks solo models (each built, and so initialised, exactly as its solo run builds it) into a pack.
     * They must share {@code cfg}'s shape; per-member init scale and multipliers may differ.
     */
    public PackedGpt(List<Gpt> members, List<Double> zLossCoefs) {
        Gpt first = members.get(0);
        this.cfg = first.config();
        this.dtype = first.dtype();
        this.vocab = cfg.vocab();
        this.nEmbd = cfg.dModel();
        this.nHead = cfg.nHeads();
        this.headDim = cfg.headDim();
        this.nLayer = cfg.nLayers();
        this.k = members.size();
        for (Gpt g : members) {
            if (!g.params().keySet().equals(first.params().keySet()) || g.dtype() != dtype) {
                throw new IllegalArgumentException("Cannot pack models of different shapes or dtypes.");
            }
        }
        for (String name : first.params().keySet()) {
            Param p = first.param(name);
            INDArray[] parts = new INDArray[k];
            for (int m = 0; m < k; m++) {
                INDArray v = members.get(m).param(name).value();
                if (!java.util.Arrays.equals(v.shape(), p.value().shape())) {
                    throw new IllegalArgumentException("Cannot pack " + name + ": shapes " + p.value().shapeInfoToString()
                            + " and " + v.shapeInfoToString() + " differ.");
                }
                parts[m] = v.reshape(1, v.length());
            }
            long[] shape = new long[p.value().rank() + 1];
            shape[0] = k;
            System.arraycopy(p.value().shape(), 0, shape, 1, p.value().rank());
            INDArray stacked = Workspaces.outside(() -> Nd4j.vstack(parts).reshape(shape).dup('c'));
            params.put(name, new Param(name, p.group(), stacked, p.decays()));
        }
        this.pzs = new ArrayList<>();
        members.forEach(g -> pzs.add(g.parameterization()));
        this.zLoss = new PerMember(zLossCoefs.stream().mapToDouble(Double::doubleValue).toArray());
        multipliers();
    }

    private void multipliers() {
        resMult = PerMember.of(k, m -> pzs.get(m).resMult());
        outMult = PerMember.of(k, m -> pzs.get(m).outMult());
        attnScale = PerMember.of(k, m -> pzs.get(m).attnScale());
    }

    /** Keeps only the members at {@code keep} (in that order): a member that ended stops costing compute. */
    public void retain(int[] keep) {
        Map<String, Param> kept = new LinkedHashMap<>();
        for (Param p : params.values()) {
            kept.put(p.name(), new Param(p.name(), p.group(), retainRows(p.value(), keep), p.decays()));
        }
        params = kept;
        List<Parameterization> pz = new ArrayList<>();
        for (int i : keep) {
            pz.add(pzs.get(i));
        }
        pzs = pz;
        zLoss = zLoss.retain(keep);
        k = keep.length;
        multipliers();
    }

    /** The members at {@code keep} of an array stacked along its leading axis, as a new contiguous array. */
    public static INDArray retainRows(INDArray x, int[] keep) {
        int k = (int) x.size(0);
        long[] shape = x.shape().clone();
        shape[0] = keep.length;
        return Workspaces.outside(() -> Nd4j.pullRows(PerMember.slices(x, k), 1, keep).reshape(shape).dup('c'));
    }

    public int members() {
        return k;
    }

    public Map<String, Param> params() {
        return Collections.unmodifiableMap(params);
    }

    public Param param(String name) {
        return params.get(name);
    }

    public Parameterization parameterization(int member) {
        return pzs.get(member);
    }

    public ModelConfig config() {
        return cfg;
    }

    public DataType dtype() {
        return dtype;
    }

    /** Loss and diagnostics of each member's batch, without gradients. */
    public Gpt.Diagnostics[] evaluate(Batch[] batches) {
        return Workspaces.run("packed-eval", () -> new Pass(batches, false).run());
    }

    /** Each member's loss and diagnostics, and every parameter's gradient (overwritten). */
    public Gpt.Diagnostics[] forwardBackward(Batch[] batches) {
        return Workspaces.run("packed-step", () -> {
            Pass pass = new Pass(batches, true);
            Gpt.Diagnostics[] d = pass.run();
            pass.backward();
            return d;
        });
    }

    /** Every member's logits, (K*BT, V); for tests. */
    public INDArray logits(Batch[] batches) {
        return Workspaces.run("packed-eval", () -> {
            Pass pass = new Pass(batches, false);
            pass.run();
            return pass.logits.detach();
        });
    }

    private INDArray causalMask(int t) {
        return causalMasks.computeIfAbsent(t, n -> Gpt.causalMask(t, dtype));
    }

    /** Activations one block keeps for its backward pass; shapes as {@link Gpt}'s with K*B sequences. */
    private static final class BlockCache {
        LayerNorm.Cache ln1;
        INDArray ln1Out;    // (KBT, C)
        LayerNorm.Cache qLn;
        LayerNorm.Cache kLn;
        INDArray q;         // (KBH, T, hd)
        INDArray k;
        INDArray v;
        INDArray att;       // (KBH, T, T)
        INDArray yMerged;   // (KBT, C)
        LayerNorm.Cache ln2;
        INDArray ln2Out;
        INDArray hFc;       // (KBT, 4C)
        INDArray gelu;
        INDArray geluTanh;
    }

    private final class Pass {
        final int b;
        final int t;
        final int bt;
        final int kbt;
        final int[] inputs;
        final int[] targets;
        final boolean keep;
        final List<BlockCache> caches = new ArrayList<>();
        LayerNorm.Cache lnf;
        INDArray lnfOut;     // (KBT, C)
        INDArray logits;     // (KBT, V)
        INDArray probs;
        INDArray logZ;       // (KBT, 1)
        INDArray targetHot;
        Fused.CrossEntropy ce;   // the fused code's softmax and log Z, in place of the three above

        Pass(Batch[] batches, boolean keep) {
            if (batches.length != k) {
                throw new IllegalArgumentException("Cannot run a pack of " + k + " on " + batches.length + " batches.");
            }
            this.b = batches[0].batch();
            this.t = batches[0].seqLen();
            if (t > cfg.seqLen()) {
                throw new IllegalArgumentException("Cannot run batch: seq_len " + t + " exceeds the model's " + cfg.seqLen() + ".");
            }
            this.bt = b * t;
            this.kbt = k * bt;
            this.inputs = new int[kbt];
            this.targets = new int[kbt];
            for (int m = 0; m < k; m++) {
                if (batches[m].batch() != b || batches[m].seqLen() != t) {
                    throw new IllegalArgumentException("Cannot run a pack on batches of different shapes.");
                }
                System.arraycopy(batches[m].inputs(), 0, inputs, m * bt, bt);
                System.arraycopy(batches[m].targets(), 0, targets, m * bt, bt);
            }
            this.keep = keep;
        }

        Gpt.Diagnostics[] run() {
            double[][] maxLogit = new double[nLayer][];
            double[][] actAbs = new double[nLayer][];
            // x = wte_k[idx] + wpe_k[0:T]: member k's token ids index rows k*V.. of the stacked (K*V, C) table
            Fused.checkIds(inputs, kbt, vocab);
            int[] rows = new int[kbt];
            for (int i = 0; i < kbt; i++) {
                rows[i] = (i / bt) * vocab + inputs[i];
            }
            INDArray x = Nd4j.pullRows(param("wte").value().reshape((long) k * vocab, nEmbd), 1, rows);   // (KBT, C)
            INDArray wpe = param("wpe").value();                                                          // (K, S, C)
            INDArray wpeT = t == cfg.seqLen() ? wpe.reshape(k, (long) t * nEmbd)
                    : wpe.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t), NDArrayIndex.all()).dup('c')
                    .reshape(k, (long) t * nEmbd);
            INDArray x3 = x.reshape(k, b, (long) t * nEmbd);
            Broadcast.add(x3, wpeT, x3, 0, 2);
            for (int i = 0; i < nLayer; i++) {
                BlockCache c = new BlockCache();
                x = block(i, x, c, maxLogit);
                double[] n1 = PerMember.norm1s(x, k);
                for (int m = 0; m < k; m++) {
                    n1[m] /= (double) bt * nEmbd;
                }
                actAbs[i] = n1;
                if (keep) {
                    caches.add(c);
                }
            }
            LayerNorm.Cache[] lc = new LayerNorm.Cache[1];
            lnfOut = PackedLayerNorm.forward(x, k, param("lnf.w"), params.get("lnf.b"), cfg.lnEps(), lc);
            lnf = lc[0];
            INDArray lnf3 = lnfOut.reshape(k, bt, nEmbd);
            logits = (cfg.tiedEmbeddings() ? Bmm.mm(lnf3, param("wte").value(), false, true)
                    : Bmm.mm(lnf3, param("head").value(), false, false)).reshape(kbt, vocab);
            double[] targetLogitSum;
            double[] logZSum;
            double[] logZSq;
            double[] logitMean;
            if (Fused.ON) {
                ce = Fused.crossEntropy(logits, targets, outMult.values());
                targetLogitSum = ce.targetSum();
                logZSum = ce.logZSum();
                logZSq = ce.logZSqSum();
                logitMean = ce.logitSum();
            } else {
                if (!outMult.allEqual(1.0)) {
                    outMult.muli(logits);
                }
                INDArray rowMax = logits.max(true, 1);                                             // (KBT, 1)
                INDArray e = Transforms.exp(logits.subColumnVector(rowMax), false);
                INDArray sum = e.sum(true, 1);
                logZ = Transforms.log(sum, true).addi(rowMax);
                probs = e.diviColumnVector(sum);
                targetHot = Gpt.oneHot(targets, vocab, dtype);
                targetLogitSum = PerMember.sums(logits.mul(targetHot), k);
                logZSum = PerMember.sums(logZ, k);
                logZSq = zLoss.allEqual(0.0) ? null : PerMember.sums(logZ.mul(logZ), k);
                logitMean = PerMember.sums(logits, k);
            }
            Gpt.Diagnostics[] out = new Gpt.Diagnostics[k];
            for (int m = 0; m < k; m++) {
                double ce = (logZSum[m] - targetLogitSum[m]) / bt;
                double z = zLoss.get(m) == 0 ? 0.0 : zLoss.get(m) * logZSq[m] / bt;
                double[] ml = new double[nLayer];
                double[] aa = new double[nLayer];
                for (int i = 0; i < nLayer; i++) {
                    ml[i] = maxLogit[i][m];
                    aa[i] = actAbs[i][m];
                }
                out[m] = new Gpt.Diagnostics(ce + z, ce, z, ml, aa, logitMean[m] / ((double) bt * vocab), logZSum[m] / bt);
            }
            return out;
        }

        private INDArray block(int i, INDArray x, BlockCache c, double[][] maxLogit) {
            String p = "h." + i + ".";
            LayerNorm.Cache[] lc = new LayerNorm.Cache[1];
            c.ln1Out = PackedLayerNorm.forward(x, k, param(p + "ln1.w"), params.get(p + "ln1.b"), cfg.lnEps(), lc);
            c.ln1 = lc[0];
            INDArray qkv = linear(c.ln1Out, param(p + "attn.wqkv"), params.get(p + "attn.bqkv"));     // (KBT, 3C)
            // (KBT, 3C) -> (KB, T, 3, H, hd) -> (3, KB, H, T, hd) -> (3, KBH, T, hd)
            long kbh = (long) k * b * nHead;
            INDArray heads = qkv.reshape((long) k * b, t, 3, nHead, headDim).permute(2, 0, 3, 1, 4).dup('c')
                    .reshape(3, kbh, t, headDim);
            c.q = heads.slice(0);
            c.k = heads.slice(1);
            c.v = heads.slice(2);
            if (cfg.qkLayernorm()) {
                c.q = headNorm(c.q, param(p + "attn.q_ln.w"), lc);
                c.qLn = lc[0];
                c.k = headNorm(c.k, param(p + "attn.k_ln.w"), lc);
                c.kLn = lc[0];
            }
            INDArray scores = Bmm.mm(c.q, c.k, false, true);                                         // (KBH, T, T)
            if (Fused.ON) {
                maxLogit[i] = Fused.causalSoftmax(scores, t, attnScale.values());
                c.att = scores;
            } else {
                attnScale.muli(scores).reshape(kbh, (long) t * t).addiRowVector(causalMask(t));
                maxLogit[i] = PerMember.maxes(scores, k);
                INDArray scores2 = scores.reshape(kbh * t, t);
                c.att = Nd4j.exec(new SoftMax(scores2, scores2, 1))[0].reshape(kbh, t, t);
            }
            INDArray y = Bmm.mm(c.att, c.v, false, false);                                            // (KBH, T, hd)
            // (KBH, T, hd) -> (KB, H, T, hd) -> (KB, T, H, hd) -> (KBT, C)
            c.yMerged = y.reshape((long) k * b, nHead, t, headDim).permute(0, 2, 1, 3).dup('c').reshape(kbt, nEmbd);
            INDArray attnOut = linear(c.yMerged, param(p + "attn.wo"), params.get(p + "attn.bo"));
            INDArray x1 = x.add(resMult.muli(attnOut));
            c.ln2Out = PackedLayerNorm.forward(x1, k, param(p + "ln2.w"), params.get(p + "ln2.b"), cfg.lnEps(), lc);
            c.ln2 = lc[0];
            c.hFc = linear(c.ln2Out, param(p + "mlp.wfc"), params.get(p + "mlp.bfc"));          // (KBT, 4C)
            INDArray[] tanh = new INDArray[1];
            c.gelu = Gelu.forward(c.hFc, tanh);
            c.geluTanh = tanh[0];
            INDArray mlpOut = linear(c.gelu, param(p + "mlp.wproj"), params.get(p + "mlp.bproj"));
            return x1.addi(resMult.muli(mlpOut));
        }

        /** LayerNorm over the head dimension of (KBH, T, hd), one scale per member shared by its heads. */
        private INDArray headNorm(INDArray z, Param w, LayerNorm.Cache[] lc) {
            long n = z.size(0) * t;
            return PackedLayerNorm.forward(z.reshape(n, headDim), k, w, null, cfg.lnEps(), lc).reshape(z.size(0), t, headDim);
        }

        void backward() {
            // d(loss)/d(logits) = ((1 + 2 z_k log Z) p - onehot) * outMult_k / BT
            PerMember scale = PerMember.of(k, m -> outMult.get(m) / bt);
            INDArray dLogits = probs;
            if (ce != null) {
                dLogits = Fused.crossEntropyBackward(ce, targets, zLoss.values(), scale.values());
            } else {
                if (!zLoss.allEqual(0.0)) {
                    INDArray coef = PerMember.of(k, m -> 2 * zLoss.get(m)).mul(logZ).addi(1.0);
                    dLogits = probs.muliColumnVector(coef);
                }
                dLogits.subi(targetHot);
                scale.muli(dLogits);
            }
            INDArray dLogits3 = dLogits.reshape(k, bt, vocab);
            INDArray lnf3 = lnfOut.reshape(k, bt, nEmbd);
            INDArray dx;
            if (cfg.tiedEmbeddings()) {
                Param wte = param("wte");
                Bmm.mmInto(dLogits3, lnf3, wte.grad(), true, false, 0.0);                          // (K, V, C)
                dx = Bmm.mm(dLogits3, wte.value(), false, false);
            } else {
                Param head = param("head");
                Bmm.mmInto(lnf3, dLogits3, head.grad(), true, false, 0.0);                         // (K, C, V)
                dx = Bmm.mm(dLogits3, head.value(), false, true);
            }
            dx = PackedLayerNorm.backward(dx.reshape(kbt, nEmbd), lnf, k, param("lnf.w"), params.get("lnf.b"));
            for (int i = nLayer - 1; i >= 0; i--) {
                dx = blockBackward(i, dx, caches.get(i));
            }
            // embeddings: d wte_k = onehot(inputs_k)^T @ dx_k (accumulated onto the head's share when tied)
            Param wte = param("wte");
            if (Fused.ON) {
                Fused.embeddingGrad(dx, inputs, k, vocab, wte.grad(), cfg.tiedEmbeddings());
            } else {
                Bmm.mmInto(Gpt.oneHot(inputs, vocab, dtype).reshape(k, bt, vocab), dx.reshape(k, bt, nEmbd), wte.grad(), true,
                        false, cfg.tiedEmbeddings() ? 1.0 : 0.0);
            }
            Param wpe = param("wpe");
            wpe.grad().assign(0.0);
            wpe.grad().get(NDArrayIndex.all(), NDArrayIndex.interval(0, t), NDArrayIndex.all())
                    .assign(dx.reshape(k, b, (long) t * nEmbd).sum(1).reshape(k, t, nEmbd));
        }

        private INDArray blockBackward(int i, INDArray dx, BlockCache c) {
            String p = "h." + i + ".";
            // x2 = x1 + r * mlp(ln2(x1))
            INDArray dMlp = resMult.allEqual(1.0) ? dx : resMult.mul(dx);
            INDArray dGelu = linearBackward(c.gelu, dMlp, param(p + "mlp.wproj"), params.get(p + "mlp.bproj"));
            INDArray dH = Gelu.backward(dGelu, c.hFc, c.geluTanh);
            INDArray dLn2 = linearBackward(c.ln2Out, dH, param(p + "mlp.wfc"), params.get(p + "mlp.bfc"));
            dx = dx.add(PackedLayerNorm.backward(dLn2, c.ln2, k, param(p + "ln2.w"), params.get(p + "ln2.b")));
            // x1 = x0 + r * attn(ln1(x0)); with r = 1 dAttn aliases dx, consumed before dx.addi below
            INDArray dAttn = resMult.allEqual(1.0) ? dx : resMult.mul(dx);
            INDArray dY = linearBackward(c.yMerged, dAttn, param(p + "attn.wo"), params.get(p + "attn.bo"));
            long kbh = (long) k * b * nHead;
            // (KBT, C) -> (KB, T, H, hd) -> (KB, H, T, hd) -> (KBH, T, hd)
            INDArray dYh = dY.reshape((long) k * b, t, nHead, headDim).permute(0, 2, 1, 3).dup('c').reshape(kbh, t, headDim);
            INDArray dAtt = Bmm.mm(dYh, c.v, false, true);                        // (KBH, T, T)
            INDArray dV = Bmm.mm(c.att, dYh, true, false);                         // (KBH, T, hd)
            // softmax backward: dS = att * (dAtt - sum(dAtt * att, -1)) * scale_k
            INDArray dS;
            if (Fused.ON) {
                dS = Fused.causalSoftmaxBackward(dAtt, c.att, t, attnScale.values());
            } else {
                INDArray att2 = c.att.reshape(kbh * t, t);
                INDArray dAtt2 = dAtt.reshape(kbh * t, t);
                INDArray rowDot = dAtt2.mul(att2).sum(true, 1);
                dS = attnScale.muli(dAtt2.subiColumnVector(rowDot).muli(att2)).reshape(kbh, t, t);
            }
            INDArray dQ = Bmm.mm(dS, c.k, false, false);                           // (KBH, T, hd)
            INDArray dK = Bmm.mm(dS, c.q, true, false);
            if (cfg.qkLayernorm()) {
                dQ = PackedLayerNorm.backward(dQ.reshape(kbh * t, headDim), c.qLn, k, param(p + "attn.q_ln.w"), null);
                dK = PackedLayerNorm.backward(dK.reshape(kbh * t, headDim), c.kLn, k, param(p + "attn.k_ln.w"), null);
            }
            INDArray dHeads = Nd4j.create(dtype, 3, kbh, t, headDim);
            dHeads.slice(0).assign(dQ.reshape(kbh, t, headDim));
            dHeads.slice(1).assign(dK.reshape(kbh, t, headDim));
            dHeads.slice(2).assign(dV);
            // (3, KBH, T, hd) -> (3, KB, H, T, hd) -> (KB, T, 3, H, hd) -> (KBT, 3C)
            INDArray dQkv = dHeads.reshape(3, (long) k * b, nHead, t, headDim).permute(1, 3, 0, 2, 4).dup('c')
                    .reshape(kbt, 3L * nEmbd);
            INDArray dLn1 = linearBackward(c.ln1Out, dQkv, param(p + "attn.wqkv"), params.get(p + "attn.bqkv"));
            return dx.addi(PackedLayerNorm.backward(dLn1, c.ln1, k, param(p + "ln1.w"), params.get(p + "ln1.b")));
        }

        /** x (KBT, in) @ W_k (K, in, out) + b_k, as (KBT, out). */
        private INDArray linear(INDArray x, Param w, Param bias) {
            long in = x.size(1);
            long outDim = w.value().size(2);
            INDArray out = Bmm.mm(x.reshape(k, bt, in), w.value(), false, false);                // (K, BT, out)
            if (bias != null) {
                Broadcast.add(out, bias.value(), out, 0, 2);
            }
            return out.reshape(kbt, outDim);
        }

        /** Writes dW_k = x_k^T @ dOut_k (and db_k) and returns dx = dOut_k @ W_k^T, (KBT, in). */
        private INDArray linearBackward(INDArray x, INDArray dOut, Param w, Param bias) {
            long in = x.size(1);
            long outDim = dOut.size(1);
            INDArray d3 = dOut.reshape(k, bt, outDim);
            Bmm.mmInto(x.reshape(k, bt, in), d3, w.grad(), true, false, 0.0);
            if (bias != null) {
                bias.grad().assign(d3.sum(1));
            }
            return Bmm.mm(d3, w.value(), false, true).reshape(kbt, in);
        }
    }
}
