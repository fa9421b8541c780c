package dev.proxylaw.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The fused kernels against the ND4J operations they replace (to 1e-12 in double, the scalar code; float
 * rounding in float, the vector code), and a pack's rows against the same rows computed alone (exactly: a pack member must get its
 * solo run's numbers). The model-level checks (gradients against finite differences, the PyTorch golden
 * file, packs against solo runs) run the fused code too.
 */
class FusedTest {
    @Test
    void fusedCodeIsWhatRunsHere() {
        assertTrue(Fused.ON, "the tests start the JVM with the vector API, as the launcher does, so the CPU backend "
                + "runs the fused kernels");
    }

    private static double tol(DataType dt) {
        return dt == DataType.DOUBLE ? 1e-12 : 2e-6;
    }

    private static INDArray randn(DataType dt, long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape).muli(2).castTo(dt);
    }

    /** max |a - b| / max(1, max |a|). */
    private static void close(String what, INDArray want, INDArray got, double tol) {
        INDArray w = want.castTo(DataType.DOUBLE);
        INDArray g = got.castTo(DataType.DOUBLE).reshape(w.shape());
        double err = w.sub(g).amaxNumber().doubleValue() / Math.max(1.0, w.amaxNumber().doubleValue());
        assertTrue(err < tol, what + ": relative error " + err + " >= " + tol);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void geluMatchesNd4j(DataType dt) {
        INDArray x = randn(dt, 1, 37, 53);     // a length that is no multiple of any lane count
        INDArray[] t = new INDArray[1];
        INDArray[] tRef = new INDArray[1];
        INDArray y = Fused.gelu(x, t);
        INDArray yRef = Gelu.forwardNd4j(x, tRef);
        close("gelu", yRef, y, tol(dt));
        close("tanh", tRef[0], t[0], tol(dt));
        INDArray dy = randn(dt, 2, 37, 53);
        INDArray dx = Fused.geluBackward(dy.dup(), x, t[0]);
        close("gelu backward", Gelu.backwardNd4j(dy.dup(), x, tRef[0]), dx, tol(dt));
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void layerNormMatchesNd4j(DataType dt) {
        INDArray x = randn(dt, 3, 24, 37).addi(0.5);
        Param w = new Param("w", Group.BLOCK_VEC, randn(dt, 4, 37));
        Param b = new Param("b", Group.BLOCK_VEC, randn(dt, 5, 37));
        LayerNorm.Cache[] c = new LayerNorm.Cache[1];
        LayerNorm.Cache[] cRef = new LayerNorm.Cache[1];
        INDArray y = Fused.layerNorm(x, w.value(), b.value(), 1, 1e-5, c);
        close("layer norm", LayerNorm.forwardNd4j(x, w, b, 1e-5, cRef), y, tol(dt));
        close("xhat", cRef[0].xhat(), c[0].xhat(), tol(dt));
        close("rstd", cRef[0].rstd(), c[0].rstd(), tol(dt));
        INDArray dy = randn(dt, 6, 24, 37);
        INDArray dx = Fused.layerNormBackward(dy, c[0], w.value(), 1, w.grad(), b.grad());
        INDArray dw = w.grad().dup();
        INDArray db = b.grad().dup();
        close("layer norm backward", LayerNorm.backwardNd4j(dy, cRef[0], w, b), dx, tol(dt));
        close("dw", w.grad(), dw, tol(dt) * 10);
        close("db", b.grad(), db, tol(dt) * 10);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void causalSoftmaxMatchesNd4jWithAnAdditiveMask(DataType dt) {
        int t = 19;
        INDArray s = randn(dt, 7, 6, t, t);
        double scale = 0.35;
        INDArray ref = s.mul(scale);
        ref.reshape(6, (long) t * t).addiRowVector(Gpt.causalMask(t, dt));
        double maxRef = ref.maxNumber().doubleValue();
        INDArray ref2 = ref.reshape(6L * t, t);
        Nd4j.exec(new SoftMax(ref2, ref2, 1));
        INDArray att = s.dup();
        double[] max = Fused.causalSoftmax(att, t, new double[] {scale});
        close("softmax", ref, att, tol(dt));
        assertEquals(maxRef, max[0], tol(dt) * Math.abs(maxRef), "max logit");
        INDArray dA = randn(dt, 8, 6, t, t);
        INDArray rowDot = dA.reshape(6L * t, t).mul(ref2).sum(true, 1);
        INDArray dSRef = dA.reshape(6L * t, t).subColumnVector(rowDot).muli(ref2).muli(scale);
        close("softmax backward", dSRef, Fused.causalSoftmaxBackward(dA.dup(), att, t, new double[] {scale}), tol(dt));
    }

    /** 2,500 rows a member: arrays larger than a core's cache, and members that do not start at a lane boundary. */
    @ParameterizedTest
    @CsvSource({"FLOAT, 10", "DOUBLE, 10", "FLOAT, 2500"})
    void aPackMemberGetsExactlyItsSoloNumbers(String type, int rows) {
        DataType dt = DataType.valueOf(type);
        int k = 3;
        int cols = 37;
        int t = 5;
        INDArray x = randn(dt, 9, (long) k * rows, cols);
        INDArray w = randn(dt, 10, k, cols);
        INDArray b = randn(dt, 11, k, cols);
        INDArray dy = randn(dt, 12, (long) k * rows, cols);
        INDArray s = randn(dt, 13, (long) k * rows, t);   // k members of 2 heads of 5 queries
        double[] scales = {0.5, 0.25, 0.125};
        INDArray dA = randn(dt, 14, (long) k * rows, t);
        LayerNorm.Cache[] pc = new LayerNorm.Cache[1];
        INDArray yPack = Fused.layerNorm(x, w, b, k, 1e-5, pc);
        INDArray dwPack = Nd4j.create(dt, k, cols);
        INDArray dbPack = Nd4j.create(dt, k, cols);
        INDArray dxPack = Fused.layerNormBackward(dy, pc[0], w, k, dwPack, dbPack);
        INDArray[] tPack = new INDArray[1];
        INDArray gPack = Fused.gelu(x, tPack);
        INDArray attPack = s.dup();
        double[] maxPack = Fused.causalSoftmax(attPack, t, scales);
        INDArray dSPack = Fused.causalSoftmaxBackward(dA.dup(), attPack, t, scales);
        for (int m = 0; m < k; m++) {
            INDArray xm = x.get(rowsOf(m, rows)).dup();
            LayerNorm.Cache[] c = new LayerNorm.Cache[1];
            INDArray y = Fused.layerNorm(xm, w.getRow(m).dup(), b.getRow(m).dup(), 1, 1e-5, c);
            assertArrayEquals(y.data().asDouble(), yPack.get(rowsOf(m, rows)).dup().data().asDouble(), "layer norm, member " + m);
            INDArray dw = Nd4j.create(dt, cols);
            INDArray db = Nd4j.create(dt, cols);
            INDArray dx = Fused.layerNormBackward(dy.get(rowsOf(m, rows)).dup(), c[0], w.getRow(m).dup(), 1, dw, db);
            assertArrayEquals(dx.data().asDouble(), dxPack.get(rowsOf(m, rows)).dup().data().asDouble(), "dx, member " + m);
            assertArrayEquals(dw.data().asDouble(), dwPack.getRow(m).dup().data().asDouble(), "dw, member " + m);
            assertArrayEquals(db.data().asDouble(), dbPack.getRow(m).dup().data().asDouble(), "db, member " + m);
            INDArray[] tm = new INDArray[1];
            INDArray g = Fused.gelu(xm, tm);
            assertArrayEquals(g.data().asDouble(), gPack.get(rowsOf(m, rows)).dup().data().asDouble(), "gelu, member " + m);
            INDArray att = s.get(rowsOf(m, rows)).dup();
            double[] max = Fused.causalSoftmax(att, t, new double[] {scales[m]});
            assertArrayEquals(att.data().asDouble(), attPack.get(rowsOf(m, rows)).dup().data().asDouble(), "softmax, member " + m);
            assertEquals(max[0], maxPack[m], 0.0, "max logit, member " + m);
            INDArray dS = Fused.causalSoftmaxBackward(dA.get(rowsOf(m, rows)).dup(), att, t, new double[] {scales[m]});
            assertArrayEquals(dS.data().asDouble(), dSPack.get(rowsOf(m, rows)).dup().data().asDouble(),
                    "softmax backward, member " + m);
        }
    }

    /**
     * One AdamW step against {@code AdamW}'s ND4J operations, and a pack of 2 (each member longer than a
     * chunk, with its own scalars) against each member alone, exactly.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void adamwMatchesTheNd4jUpdateAndAPackMemberItsSoloStep(DataType dt) {
        int per = 40_000;
        INDArray p = randn(dt, 20, 2, per);
        INDArray g = randn(dt, 21, 2, per);
        INDArray m = randn(dt, 22, 2, per).muli(0.1);
        INDArray v = Transforms.abs(randn(dt, 23, 2, per)).muli(0.01);
        double[] gs = {0.7, 1.0};
        double[] b1 = {0.9, 0.8};
        double[] b2 = {0.95, 0.999};
        double[] step = {1e-3, 3e-2};
        double[] bc2 = {0.4, 0.9};
        double[] eps = {1e-8, 1e-6};
        double[] keep = {0.999, 1.0};
        INDArray pp = p.dup();
        INDArray mp = m.dup();
        INDArray vp = v.dup();
        double[][] sqPack = Fused.adamw(pp, g, mp, vp, 2, gs, b1, b2, step, bc2, eps, keep);
        for (int k = 0; k < 2; k++) {
            INDArray pk = p.getRow(k).dup();
            INDArray mk = m.getRow(k).dup();
            INDArray vk = v.getRow(k).dup();
            INDArray gk = g.getRow(k).dup();
            // the reference: AdamW's ND4J operations, op for op
            INDArray gRef = gk.mul(gs[k]);
            INDArray mRef = mk.mul(b1[k]).addi(gRef.mul(1 - b1[k]));
            INDArray vRef = vk.mul(b2[k]).addi(gRef.mul(gRef).muli(1 - b2[k]));
            INDArray update = mRef.div(Transforms.sqrt(vRef, true).divi(bc2[k]).addi(eps[k])).muli(step[k]);
            INDArray pRef = pk.mul(keep[k]).subi(update);
            double[][] sq = Fused.adamw(pk, gk, mk, vk, 1, new double[] {gs[k]}, new double[] {b1[k]}, new double[] {b2[k]},
                    new double[] {step[k]}, new double[] {bc2[k]}, new double[] {eps[k]}, new double[] {keep[k]});
            close("p, member " + k, pRef, pk, tol(dt));
            close("m, member " + k, mRef, mk, tol(dt));
            close("v, member " + k, vRef, vk, tol(dt));
            assertEquals(update.norm2Number().doubleValue(), Math.sqrt(sq[0][0]), 1e-5 * Math.sqrt(sq[0][0]), "update norm");
            assertEquals(pRef.norm2Number().doubleValue(), Math.sqrt(sq[1][0]), 1e-5 * Math.sqrt(sq[1][0]), "param norm");
            assertArrayEquals(pk.data().asDouble(), pp.getRow(k).dup().data().asDouble(), "pack p, member " + k);
            assertArrayEquals(mk.data().asDouble(), mp.getRow(k).dup().data().asDouble(), "pack m, member " + k);
            assertArrayEquals(vk.data().asDouble(), vp.getRow(k).dup().data().asDouble(), "pack v, member " + k);
            assertEquals(sq[0][0], sqPack[0][k], 0.0, "pack update sum of squares, member " + k);
            assertEquals(sq[1][0], sqPack[1][k], 0.0, "pack param sum of squares, member " + k);
            assertEquals(Fused.sumSquares(gk, 1)[0], Fused.sumSquares(g, 2)[k], 0.0, "sum of squares, member " + k);
        }
    }

    /**
     * The cross-entropy's forward (scaled logits, softmax, log Z, the loss's sums) and backward against the
     * ND4J operations of the solo model, for 3 members with their own output multipliers and z-loss, over
     * a vocabulary no lane count divides; then each member alone against its rows of the pack, exactly.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void crossEntropyMatchesNd4jAndAPackMemberItsSoloRows(DataType dt) {
        int k = 3;
        int rows = 50;
        int v = 37;
        INDArray logits = randn(dt, 30, (long) k * rows, v);
        int[] targets = new java.util.SplittableRandom(31).ints((long) k * rows, 0, v).toArray();
        double[] mult = {1.0, 0.25, 3.0};
        double[] z = {0.0, 1e-4, 0.3};
        double[] scale = {1.0 / rows, 0.25 / rows, 3.0 / rows};
        INDArray packLogits = logits.dup();
        Fused.CrossEntropy pack = Fused.crossEntropy(packLogits, targets, mult);
        INDArray packGrad = Fused.crossEntropyBackward(pack, targets, z, scale).dup();
        for (int m = 0; m < k; m++) {
            int[] tm = java.util.Arrays.copyOfRange(targets, m * rows, (m + 1) * rows);
            // the reference: the solo model's ND4J operations
            INDArray l = logits.get(rowsOf(m, rows)).dup().muli(mult[m]);
            INDArray rowMax = l.max(true, 1);
            INDArray e = Transforms.exp(l.subColumnVector(rowMax), false);
            INDArray sum = e.sum(true, 1);
            INDArray logZ = Transforms.log(sum, true).addi(rowMax);
            INDArray probs = e.diviColumnVector(sum);
            INDArray hot = Gpt.oneHot(tm, v, dt);
            INDArray gradRef = probs.mulColumnVector(logZ.mul(2 * z[m]).addi(1.0)).subi(hot).muli(scale[m]);

            INDArray lm = logits.get(rowsOf(m, rows)).dup();
            Fused.CrossEntropy solo = Fused.crossEntropy(lm, tm, new double[] {mult[m]});
            close("scaled logits, member " + m, l, lm, tol(dt));
            close("softmax, member " + m, probs, solo.probs(), tol(dt));
            close("log Z, member " + m, logZ, solo.logZ(), tol(dt));
            double t = tol(dt) * rows * 10;
            assertEquals(logZ.sumNumber().doubleValue(), solo.logZSum()[0], t, "sum of log Z");
            assertEquals(logZ.mul(logZ).sumNumber().doubleValue(), solo.logZSqSum()[0], t * 10, "sum of (log Z)^2");
            assertEquals(l.mul(hot).sumNumber().doubleValue(), solo.targetSum()[0], t, "sum of target logits");
            assertEquals(l.sumNumber().doubleValue(), solo.logitSum()[0], t * v, "sum of logits");
            INDArray grad = Fused.crossEntropyBackward(solo, tm, new double[] {z[m]}, new double[] {scale[m]});
            close("d logits, member " + m, gradRef, grad, tol(dt));

            assertArrayEquals(lm.data().asDouble(), packLogits.get(rowsOf(m, rows)).dup().data().asDouble(), "pack logits " + m);
            assertArrayEquals(grad.data().asDouble(), packGrad.get(rowsOf(m, rows)).dup().data().asDouble(), "pack grad " + m);
            assertEquals(solo.logZSum()[0], pack.logZSum()[m], 0.0, "pack sum of log Z, member " + m);
            assertEquals(solo.logZSqSum()[0], pack.logZSqSum()[m], 0.0, "pack sum of (log Z)^2, member " + m);
            assertEquals(solo.targetSum()[0], pack.targetSum()[m], 0.0, "pack sum of target logits, member " + m);
            assertEquals(solo.logitSum()[0], pack.logitSum()[m], 0.0, "pack sum of logits, member " + m);
        }
        int[] bad = targets.clone();
        bad[7] = v;
        IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Fused.crossEntropy(logits.dup(), bad, mult));
        assertTrue(ex.getMessage().contains("outside the vocabulary of 37"), ex.getMessage());
    }

    /**
     * The embedding's gradient against the one-hot product it replaces, onto zeros and onto a tied head's
     * share, and a pack of 2 against each member alone, exactly.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void embeddingGradMatchesTheOneHotProductAndAPackMemberItsSoloRows(DataType dt) {
        int k = 2;
        int rows = 300;
        int v = 11;
        int c = 21;
        INDArray dx = randn(dt, 40, (long) k * rows, c);
        int[] ids = new java.util.SplittableRandom(41).ints((long) k * rows, 0, v).toArray();
        INDArray head = randn(dt, 42, k, v, c);
        INDArray pack = head.dup();
        Fused.embeddingGrad(dx, ids, k, v, pack, true);
        for (int m = 0; m < k; m++) {
            int[] im = java.util.Arrays.copyOfRange(ids, m * rows, (m + 1) * rows);
            INDArray dxm = dx.get(rowsOf(m, rows)).dup();
            INDArray ref = Gpt.oneHot(im, v, dt).transpose().mmul(dxm);
            INDArray fresh = Nd4j.valueArrayOf(new long[] {v, c}, 5.0, dt);
            Fused.embeddingGrad(dxm, im, 1, v, fresh, false);
            close("onto zeros, member " + m, ref, fresh, tol(dt) * 10);
            INDArray tied = head.slice(m).dup();
            INDArray tiedRef = tied.add(ref);
            Fused.embeddingGrad(dxm, im, 1, v, tied, true);
            close("onto the head's share, member " + m, tiedRef, tied, tol(dt) * 10);
            assertArrayEquals(tied.data().asDouble(), pack.slice(m).dup().data().asDouble(), "pack, member " + m);
        }
    }

    private static INDArrayIndex[] rowsOf(int m, int rows) {
        return new INDArrayIndex[] {
            NDArrayIndex.interval((long) m * rows, (long) (m + 1) * rows),
            NDArrayIndex.all()};
    }
}
