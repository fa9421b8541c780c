package dev.proxylaw.trainer.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Fused}'s float kernels on the JDK's vector API (the widest lanes the CPU has; tanh and exp
 * vectorised), reading and writing ND4J's off-heap buffers in place through direct byte buffers: a copy to
 * the heap and back cost more than the arithmetic. Offsets and lengths count floats. Loaded only when the
 * JVM has the {@code jdk.incubator.vector} module.
 *
 * <p>Every row is walked from its first element with the same lane layout, its last partial step padded
 * through a small array (masked loads cost 3x a plain one in Java 17), so a row's result does not depend on
 * where it sits in the array: a pack member equals its solo run.
 */
final class FusedSimd {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final float C = (float) Math.sqrt(2.0 / Math.PI);
    private static final float K = 0.044715f;

    private FusedSimd() {
    }

    /** Lanes j.. of row {@code a[off, off + len)}; past the row's end the lanes hold {@code pad}. */
    private static FloatVector load(ByteBuffer a, int off, int j, int len, float pad, float[] tmp) {
        if (j + L <= len) {
            return FloatVector.fromByteBuffer(S, a, (off + j) << 2, NATIVE);
        }
        java.util.Arrays.fill(tmp, pad);
        for (int i = 0; i < len - j; i++) {
            tmp[i] = a.getFloat((off + j + i) << 2);
        }
        return FloatVector.fromArray(S, tmp, 0);
    }

    /** As {@link #load(ByteBuffer, int, int, int, float, float[])}, from a heap array. */
    private static FloatVector load(float[] a, int off, int j, int len, float pad, float[] tmp) {
        if (j + L <= len) {
            return FloatVector.fromArray(S, a, off + j);
        }
        java.util.Arrays.fill(tmp, pad);
        System.arraycopy(a, off + j, tmp, 0, len - j);
        return FloatVector.fromArray(S, tmp, 0);
    }

    /** Writes the lanes of v that fall inside the row. */
    private static void store(FloatVector v, ByteBuffer a, int off, int j, int len, float[] tmp) {
        if (j + L <= len) {
            v.intoByteBuffer(a, (off + j) << 2, NATIVE);
        } else {
            v.intoArray(tmp, 0);
            for (int i = 0; i < len - j; i++) {
                a.putFloat((off + j + i) << 2, tmp[i]);
            }
        }
    }

    static void gelu(ByteBuffer x, ByteBuffer y, ByteBuffer t, int n) {
        float[] tmp = new float[L];
        for (int i = 0; i < n; i += L) {
            FloatVector v = load(x, 0, i, n, 0f, tmp);
            FloatVector th = v.mul(v).mul(v).mul(K).add(v).mul(C).lanewise(VectorOperators.TANH);
            store(th, t, 0, i, n, tmp);
            store(th.add(1f).mul(v).mul(0.5f), y, 0, i, n, tmp);
        }
    }

    static void geluBackward(ByteBuffer dy, ByteBuffer x, ByteBuffer t, ByteBuffer dx, int n) {
        float[] tmp = new float[L];
        for (int i = 0; i < n; i += L) {
            FloatVector v = load(x, 0, i, n, 0f, tmp);
            FloatVector th = load(t, 0, i, n, 0f, tmp);
            FloatVector inner = v.mul(v).mul(3 * K).add(1f).mul(v).mul(0.5f * C);     // 0.5 c x (1 + 3k x^2)
            FloatVector sech2 = th.mul(th).neg().add(1f);                               // 1 - t^2
            FloatVector local = inner.mul(sech2).add(th.add(1f).mul(0.5f));
            store(load(dy, 0, i, n, 0f, tmp).mul(local), dx, 0, i, n, tmp);
        }
    }

    /** Rows of x (rows, cols); a row's member (its row of w and b) is its index over {@code per}, the rows per member. */
    static void layerNorm(ByteBuffer x, ByteBuffer w, ByteBuffer b, int rows, int per, int cols, float eps,
                          ByteBuffer y, ByteBuffer xhat, ByteBuffer rstd) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int wo = (r / per) * cols;
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < cols; j += L) {
                acc = acc.add(load(x, o, j, cols, 0f, tmp));
            }
            float mean = acc.reduceLanes(VectorOperators.ADD) / cols;
            acc = FloatVector.zero(S);
            for (int j = 0; j < cols; j += L) {
                FloatVector d = load(x, o, j, cols, mean, tmp).sub(mean);     // padded lanes give 0
                acc = acc.add(d.mul(d));
            }
            float rs = (float) (1.0 / Math.sqrt(acc.reduceLanes(VectorOperators.ADD) / cols + eps));
            rstd.putFloat(r << 2, rs);
            for (int j = 0; j < cols; j += L) {
                FloatVector h = load(x, o, j, cols, 0f, tmp).sub(mean).mul(rs);
                store(h, xhat, o, j, cols, tmp);
                FloatVector out = h.mul(load(w, wo, j, cols, 0f, tmp));
                if (b != null) {
                    out = out.add(load(b, wo, j, cols, 0f, tmp));
                }
                store(out, y, o, j, cols, tmp);
            }
        }
    }

    /** dx over rows as {@link #layerNorm}'s; adds each row's terms to its member's dw and db (zeroed by the caller). */
    static void layerNormBackward(ByteBuffer dy, ByteBuffer xhat, ByteBuffer rstd, ByteBuffer w, int rows, int per,
                                  int cols, ByteBuffer dx, ByteBuffer dw, ByteBuffer db) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int wo = (r / per) * cols;
            FloatVector a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S);
            for (int j = 0; j < cols; j += L) {
                FloatVector g = load(dy, o, j, cols, 0f, tmp);
                FloatVector h = load(xhat, o, j, cols, 0f, tmp);
                store(load(dw, wo, j, cols, 0f, tmp).add(g.mul(h)), dw, wo, j, cols, tmp);
                if (db != null) {
                    store(load(db, wo, j, cols, 0f, tmp).add(g), db, wo, j, cols, tmp);
                }
                FloatVector dh = g.mul(load(w, wo, j, cols, 0f, tmp));
                a1 = a1.add(dh);
                a2 = a2.add(dh.mul(h));
            }
            float m1 = a1.reduceLanes(VectorOperators.ADD) / cols;
            float m2 = a2.reduceLanes(VectorOperators.ADD) / cols;
            float rs = rstd.getFloat(r << 2);
            for (int j = 0; j < cols; j += L) {
                FloatVector dh = load(dy, o, j, cols, 0f, tmp).mul(load(w, wo, j, cols, 0f, tmp));
                FloatVector h = load(xhat, o, j, cols, 0f, tmp);
                store(dh.sub(m1).sub(h.mul(m2)).mul(rs), dx, o, j, cols, tmp);
            }
        }
    }

    /** (t, t): 0 where key <= query, -inf above the diagonal. */
    static float[] causalMask(int t) {
        float[] mask = new float[t * t];
        for (int q = 0; q < t; q++) {
            java.util.Arrays.fill(mask, q * t + q + 1, (q + 1) * t, Float.NEGATIVE_INFINITY);
        }
        return mask;
    }

    /**
     * Rows of x (an (N t, t) array; query = row mod t, member = row / per) in place; keys after the query
     * get 0. Whole rows are walked with the additive mask, so that a row of t = a multiple of the lane
     * count has no partial step. Raises maxLogit[member] to the row's largest scaled score.
     */
    static void causalSoftmax(ByteBuffer x, float[] mask, int rows, int per, int t, float[] scale, double[] maxLogit) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            int mem = r / per;
            float sc = scale[mem];
            int o = r * t;
            int mo = (r % t) * t;
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < t; j += L) {
                FloatVector v = load(x, o, j, t, 0f, tmp).mul(sc).add(load(mask, mo, j, t, Float.NEGATIVE_INFINITY, tmp));
                store(v, x, o, j, t, tmp);
                mx = mx.max(v);
            }
            float max = mx.reduceLanes(VectorOperators.MAX);
            if (max > maxLogit[mem]) {
                maxLogit[mem] = max;
            }
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < t; j += L) {
                // masked keys and padded lanes: exp(-inf) = 0
                FloatVector e = load(x, o, j, t, Float.NEGATIVE_INFINITY, tmp).sub(max).lanewise(VectorOperators.EXP);
                store(e, x, o, j, t, tmp);
                acc = acc.add(e);
            }
            float inv = 1f / acc.reduceLanes(VectorOperators.ADD);
            for (int j = 0; j < t; j += L) {
                store(load(x, o, j, t, 0f, tmp).mul(inv), x, o, j, t, tmp);
            }
        }
    }

    /** dS = scale * p * (dA - sum dA p), dA in place; masked keys have p = 0 and so get 0. */
    static void causalSoftmaxBackward(ByteBuffer da, ByteBuffer p, int rows, int per, int t, float[] scale) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            float sc = scale[r / per];
            int o = r * t;
            FloatVector acc = FloatVector.zero(S);
            for (int j = 0; j < t; j += L) {
                acc = acc.add(load(da, o, j, t, 0f, tmp).mul(load(p, o, j, t, 0f, tmp)));
            }
            float dot = acc.reduceLanes(VectorOperators.ADD);
            for (int j = 0; j < t; j += L) {
                FloatVector pv = load(p, o, j, t, 0f, tmp);
                store(load(da, o, j, t, 0f, tmp).sub(dot).mul(pv).mul(sc), da, o, j, t, tmp);
            }
        }
    }

    /**
     * Rows of logits x (rows, v), member = row / per: scales each row by its member's multiplier in place,
     * writes the softmax into p and log Z into logZ, and adds to sums[0..3][member] log Z, (log Z)^2, the
     * target's logit and all the row's logits.
     */
    static void crossEntropy(ByteBuffer x, ByteBuffer p, ByteBuffer logZ, int[] targets, int rows, int per, int v,
                             float[] mult, double[][] sums) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            int m = r / per;
            float mu = mult[m];
            int o = r * v;
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < v; j += L) {
                FloatVector l = load(x, o, j, v, Float.NEGATIVE_INFINITY, tmp).mul(mu);   // padded lanes stay -inf
                store(l, x, o, j, v, tmp);
                mx = mx.max(l);
            }
            float max = mx.reduceLanes(VectorOperators.MAX);
            FloatVector accE = FloatVector.zero(S);
            FloatVector accL = FloatVector.zero(S);
            for (int j = 0; j < v; j += L) {
                FloatVector e = load(x, o, j, v, Float.NEGATIVE_INFINITY, tmp).sub(max).lanewise(VectorOperators.EXP);
                store(e, p, o, j, v, tmp);
                accE = accE.add(e);
                accL = accL.add(load(x, o, j, v, 0f, tmp));
            }
            float sum = accE.reduceLanes(VectorOperators.ADD);
            float lz = (float) Math.log(sum) + max;
            logZ.putFloat(r << 2, lz);
            float inv = 1f / sum;
            for (int j = 0; j < v; j += L) {
                store(load(p, o, j, v, 0f, tmp).mul(inv), p, o, j, v, tmp);
            }
            sums[0][m] += lz;
            sums[1][m] += (double) lz * lz;
            sums[2][m] += x.getFloat((o + targets[r]) << 2);
            sums[3][m] += accL.reduceLanes(VectorOperators.ADD);
        }
    }

    /** p in place to ((1 + z2 log Z) p - onehot(target)) * scale, z2 and scale its member's. */
    static void crossEntropyBackward(ByteBuffer p, ByteBuffer logZ, int[] targets, int rows, int per, int v, float[] z2,
                                     float[] scale) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            int m = r / per;
            float coef = z2[m] * logZ.getFloat(r << 2) + 1f;
            float sc = scale[m];
            int o = r * v;
            int at = (o + targets[r]) << 2;
            float target = (p.getFloat(at) * coef - 1f) * sc;
            for (int j = 0; j < v; j += L) {
                store(load(p, o, j, v, 0f, tmp).mul(coef).mul(sc), p, o, j, v, tmp);
            }
            p.putFloat(at, target);
        }
    }

    /** grad row (member * v + ids[r]) += dx row r, rows in order; member = row / per. */
    static void embeddingGrad(ByteBuffer dx, int[] ids, int rows, int per, int v, int c, ByteBuffer grad) {
        float[] tmp = new float[L];
        for (int r = 0; r < rows; r++) {
            int g = ((r / per) * v + ids[r]) * c;
            int o = r * c;
            for (int j = 0; j < c; j += L) {
                store(load(grad, g, j, c, 0f, tmp).add(load(dx, o, j, c, 0f, tmp)), grad, g, j, c, tmp);
            }
        }
    }

    static double sumSquares(ByteBuffer x, int off, int len) {
        float[] tmp = new float[L];
        FloatVector acc = FloatVector.zero(S);
        for (int j = 0; j < len; j += L) {
            FloatVector v = load(x, off, j, len, 0f, tmp);
            acc = acc.add(v.mul(v));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** {@link Fused#adamw} on the block [off, off + len); returns the sums of squares of the update and the new p. */
    static double[] adamw(ByteBuffer p, ByteBuffer g, ByteBuffer m, ByteBuffer v, int off, int len, float gradScale, float b1,
                          float oneMinusB1, float b2, float oneMinusB2, float step, float bc2Sqrt, float eps, float keep) {
        float[] tmp = new float[L];
        FloatVector au = FloatVector.zero(S);
        FloatVector ap = FloatVector.zero(S);
        for (int j = 0; j < len; j += L) {
            FloatVector gv = load(g, off, j, len, 0f, tmp).mul(gradScale);
            FloatVector mv = load(m, off, j, len, 0f, tmp).mul(b1).add(gv.mul(oneMinusB1));
            FloatVector vv = load(v, off, j, len, 0f, tmp).mul(b2).add(gv.mul(gv).mul(oneMinusB2));
            FloatVector u = mv.div(vv.sqrt().div(bc2Sqrt).add(eps)).mul(step);
            FloatVector pv = load(p, off, j, len, 0f, tmp).mul(keep).sub(u);
            store(mv, m, off, j, len, tmp);
            store(vv, v, off, j, len, tmp);
            store(pv, p, off, j, len, tmp);
            au = au.add(u.mul(u));
            ap = ap.add(pv.mul(pv));
        }
        return new double[] {au.reduceLanes(VectorOperators.ADD), ap.reduceLanes(VectorOperators.ADD)};
    }
}
