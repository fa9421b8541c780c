package dev.proxylaw.trainer.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The elementwise and row-wise work of a step (GELU, LayerNorm, attention's causal softmax, the
 * cross-entropy over the vocabulary, the embedding's gradient, the AdamW update) as one pass each over
 * the data instead of 6 to 12 ND4J operations (or a product with a one-hot matrix), on ND4J's CPU backend:
 * float arrays in place in ND4J's memory on the JDK's vector API ({@link FusedSimd}: SIMD lanes,
 * vectorised tanh and exp), double arrays (the gradient checks) copied to per-thread heap scratch and
 * computed in scalar double code below.
 *
 * <p>It runs when the JVM has the vector API ({@code --add-modules jdk.incubator.vector}: the launcher,
 * the tests and conf/spark/ set it). Without it, on other backends (CUDA), or with
 * {@code -Dproxylaw.fused=false}, the ND4J code in {@link Gelu}, {@link LayerNorm}, the attention of the
 * models and the optimizers runs instead: the reference these kernels are tested against.
 *
 * <p>A pack of K members lays its rows out member by member; the per-member weights and scalars are
 * indexed by {@code row / (rows / K)}. Every row is computed the same way wherever it sits, so a member
 * of a pack gets exactly the numbers of its solo run.
 */
public final class Fused {
    /** Whether the fused code runs here: CPU backend, the vector API present, not switched off. */
    public static final boolean ON = Nd4j.getBackend().getClass().getName().contains("Cpu")
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("proxylaw.fused"));

    private static final double C = Math.sqrt(2.0 / Math.PI);
    private static final double K = 0.044715;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** The additive causal mask per sequence length, built once and only read after. */
    private static final java.util.Map<Integer, float[]> CAUSAL_MASKS = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Floats the optimizer's sums of squares add in float before the sum goes on in double (128 KB); each
     * member's first chunk starts at its first element.
     */
    private static final int CHUNK = 1 << 15;

    private Fused() {
    }

    /** Which code the elementwise work runs on (fused, or nd4j), for the bench's header. */
    public static String mode() {
        return ON ? "fused (vector API)" : "nd4j";
    }

    /** Float arrays take the vector code; double arrays the scalar code. */
    private static boolean simd(INDArray x) {
        return x.dataType() == DataType.FLOAT;
    }

    // ---- GELU, tanh form -------------------------------------------------------------------------------

    /** y = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3); tanh(u) into {@code tanhOut[0]}. */
    static INDArray gelu(INDArray x, INDArray[] tanhOut) {
        x = contiguous(x);
        int n = length(x);
        INDArray y = x.ulike();
        INDArray t = x.ulike();
        if (simd(x)) {
            FusedSimd.gelu(bytes(x), bytes(y), bytes(t), n);
            keepAlive(x, y, t);
        } else {
            Scratch s = SCRATCH.get();
            double[] xs = readD(x, s.d(0, n), n);
            double[] ys = s.d(1, n);
            double[] ts = s.d(2, n);
            for (int i = 0; i < n; i++) {
                double v = xs[i];
                double th = Math.tanh(C * (v + K * v * v * v));
                ts[i] = th;
                ys[i] = 0.5 * v * (1 + th);
            }
            writeD(y, ys, n);
            writeD(t, ts, n);
        }
        tanhOut[0] = t;
        return y;
    }

    /** dx = dy (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)), in place on dy. */
    static INDArray geluBackward(INDArray dy, INDArray x, INDArray t) {
        dy = contiguous(dy);
        int n = length(dy);
        if (simd(dy)) {
            ByteBuffer d = bytes(dy);
            INDArray xc = contiguous(x);
            INDArray tc = contiguous(t);
            FusedSimd.geluBackward(d, bytes(xc), bytes(tc), d, n);
            keepAlive(dy, xc, tc);
        } else {
            Scratch s = SCRATCH.get();
            double[] ds = readD(dy, s.d(0, n), n);
            double[] xs = readD(contiguous(x), s.d(1, n), n);
            double[] ts = readD(contiguous(t), s.d(2, n), n);
            for (int i = 0; i < n; i++) {
                double v = xs[i];
                double th = ts[i];
                double inner = 0.5 * C * v * (1 + 3 * K * v * v);
                ds[i] *= inner * (1 - th * th) + 0.5 * (1 + th);
            }
            writeD(dy, ds, n);
        }
        return dy;
    }

    // ---- LayerNorm over the last dimension --------------------------------------------------------------

    /**
     * y = (x - mean) / sqrt(var + eps) * w_m (+ b_m) over rows (R, C) of {@code members} members, member m
     * owning rows [m R/K, (m+1) R/K) and row m of w (K, C) (or w (C) when K = 1); population variance.
     */
    static INDArray layerNorm(INDArray x, INDArray w, INDArray b, int members, double eps, LayerNorm.Cache[] cacheOut) {
        x = contiguous(x);
        int rows = (int) x.size(0);
        int cols = (int) x.size(1);
        int n = rows * cols;
        INDArray y = x.ulike();
        INDArray xhat = x.ulike();
        INDArray rstd = Nd4j.createUninitialized(x.dataType(), rows, 1);
        if (simd(x)) {
            INDArray wc = contiguous(w);
            INDArray bc = b == null ? null : contiguous(b);
            FusedSimd.layerNorm(bytes(x), bytes(wc), bc == null ? null : bytes(bc), rows, rows / members, cols, (float) eps,
                    bytes(y), bytes(xhat), bytes(rstd));
            keepAlive(x, wc, bc, y, xhat, rstd);
        } else {
            Scratch s = SCRATCH.get();
            double[] xs = readD(x, s.d(0, n), n);
            double[] ys = s.d(1, n);
            double[] hs = s.d(2, n);
            double[] rs = s.d(3, rows);
            double[] ws = readD(contiguous(w), s.d(4, members * cols), members * cols);
            double[] bs = b == null ? null : readD(contiguous(b), s.d(5, members * cols), members * cols);
            int per = rows / members;
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                int wo = (r / per) * cols;
                double mean = 0;
                for (int j = 0; j < cols; j++) {
                    mean += xs[o + j];
                }
                mean /= cols;
                double var = 0;
                for (int j = 0; j < cols; j++) {
                    double d = xs[o + j] - mean;
                    var += d * d;
                }
                double rstdR = 1.0 / Math.sqrt(var / cols + eps);
                rs[r] = rstdR;
                for (int j = 0; j < cols; j++) {
                    double h = (xs[o + j] - mean) * rstdR;
                    hs[o + j] = h;
                    ys[o + j] = bs == null ? h * ws[wo + j] : h * ws[wo + j] + bs[wo + j];
                }
            }
            writeD(y, ys, n);
            writeD(xhat, hs, n);
            writeD(rstd, rs, rows);
        }
        if (cacheOut != null) {
            cacheOut[0] = new LayerNorm.Cache(xhat, rstd);
        }
        return y;
    }

    /**
     * dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy w_m; writes dw (and db), each
     * member's sums over its rows, overwriting. Returns dx.
     */
    static INDArray layerNormBackward(INDArray dy, LayerNorm.Cache c, INDArray w, int members, INDArray dw, INDArray db) {
        requireContiguous(dw);
        if (db != null) {
            requireContiguous(db);
        }
        dy = contiguous(dy);
        int rows = (int) dy.size(0);
        int cols = (int) dy.size(1);
        int n = rows * cols;
        INDArray dx = dy.ulike();
        if (simd(dy)) {
            dw.assign(0);
            if (db != null) {
                db.assign(0);
            }
            INDArray xhat = contiguous(c.xhat());
            INDArray rstd = contiguous(c.rstd());
            INDArray wc = contiguous(w);
            FusedSimd.layerNormBackward(bytes(dy), bytes(xhat), bytes(rstd), bytes(wc), rows, rows / members, cols,
                    bytes(dx), bytes(dw), db == null ? null : bytes(db));
            keepAlive(dy, xhat, rstd, wc, dx, dw, db);
        } else {
            Scratch s = SCRATCH.get();
            double[] ds = readD(dy, s.d(0, n), n);
            double[] hs = readD(contiguous(c.xhat()), s.d(1, n), n);
            double[] rs = readD(contiguous(c.rstd()), s.d(2, rows), rows);
            double[] ws = readD(contiguous(w), s.d(3, members * cols), members * cols);
            double[] dws = s.d(4, members * cols);
            double[] dbs = s.d(5, members * cols);
            java.util.Arrays.fill(dws, 0, members * cols, 0.0);
            java.util.Arrays.fill(dbs, 0, members * cols, 0.0);
            int per = rows / members;
            for (int r = 0; r < rows; r++) {
                int o = r * cols;
                int wo = (r / per) * cols;
                double m1 = 0;
                double m2 = 0;
                for (int j = 0; j < cols; j++) {
                    double g = ds[o + j];
                    double h = hs[o + j];
                    dws[wo + j] += g * h;
                    dbs[wo + j] += g;
                    double dh = g * ws[wo + j];
                    m1 += dh;
                    m2 += dh * h;
                }
                m1 /= cols;
                m2 /= cols;
                for (int j = 0; j < cols; j++) {
                    double dh = ds[o + j] * ws[wo + j];
                    ds[o + j] = rs[r] * (dh - m1 - hs[o + j] * m2);
                }
            }
            writeD(dx, ds, n);
            writeD(dw, dws, members * cols);
            if (db != null) {
                writeD(db, dbs, members * cols);
            }
        }
        return dx;
    }

    // ---- causal softmax of attention scores -------------------------------------------------------------

    /**
     * Scores (N T, T), rows grouped by sequence and head, query q = row mod T, in place to the softmax of
     * scale_m * score over keys 0..q (keys after q get probability 0). Returns each member's largest
     * scaled score over the keys it attends to (the max attention logit).
     */
    static double[] causalSoftmax(INDArray scores, int t, double[] scale) {
        requireContiguous(scores);
        int members = scale.length;
        int rows = (int) (scores.length() / t);
        int n = rows * t;
        double[] maxLogit = new double[members];
        if (simd(scores)) {
            float[] mask = CAUSAL_MASKS.computeIfAbsent(t, FusedSimd::causalMask);
            java.util.Arrays.fill(maxLogit, Double.NEGATIVE_INFINITY);
            FusedSimd.causalSoftmax(bytes(scores), mask, rows, rows / members, t, floats(scale), maxLogit);
            keepAlive(scores);
        } else {
            Scratch s = SCRATCH.get();
            double[] xs = readD(scores, s.d(0, n), n);
            int per = rows / members;
            java.util.Arrays.fill(maxLogit, Double.NEGATIVE_INFINITY);
            for (int r = 0; r < rows; r++) {
                int m = r / per;
                int o = r * t;
                int valid = r % t + 1;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < valid; j++) {
                    xs[o + j] *= scale[m];
                    max = Math.max(max, xs[o + j]);
                }
                maxLogit[m] = Math.max(maxLogit[m], max);
                double sum = 0;
                for (int j = 0; j < valid; j++) {
                    double e = Math.exp(xs[o + j] - max);
                    xs[o + j] = e;
                    sum += e;
                }
                for (int j = 0; j < valid; j++) {
                    xs[o + j] /= sum;
                }
                for (int j = valid; j < t; j++) {
                    xs[o + j] = 0;
                }
            }
            writeD(scores, xs, n);
        }
        return maxLogit;
    }

    /** dS = scale_m * att * (dAtt - sum_j dAtt att), in place on dAtt (N T, T). */
    static INDArray causalSoftmaxBackward(INDArray dAtt, INDArray att, int t, double[] scale) {
        dAtt = contiguous(dAtt);
        int members = scale.length;
        int rows = (int) (dAtt.length() / t);
        int n = rows * t;
        if (simd(dAtt)) {
            INDArray attC = contiguous(att);
            FusedSimd.causalSoftmaxBackward(bytes(dAtt), bytes(attC), rows, rows / members, t, floats(scale));
            keepAlive(dAtt, attC);
        } else {
            Scratch s = SCRATCH.get();
            double[] ds = readD(dAtt, s.d(0, n), n);
            double[] ps = readD(contiguous(att), s.d(1, n), n);
            int per = rows / members;
            for (int r = 0; r < rows; r++) {
                int o = r * t;
                int valid = r % t + 1;
                double dot = 0;
                for (int j = 0; j < valid; j++) {
                    dot += ds[o + j] * ps[o + j];
                }
                double sc = scale[r / per];
                for (int j = 0; j < valid; j++) {
                    ds[o + j] = sc * ps[o + j] * (ds[o + j] - dot);
                }
                for (int j = valid; j < t; j++) {
                    ds[o + j] = 0;
                }
            }
            writeD(dAtt, ds, n);
        }
        return dAtt;
    }

    // ---- softmax cross-entropy over the vocabulary, and the embedding's gradient --------------------------

    /**
     * What {@link #crossEntropy} leaves: the softmax (R, V), log Z (R, 1), and per member the sums over its
     * rows of log Z, (log Z)^2, the target's logit and every logit.
     */
    record CrossEntropy(INDArray probs, INDArray logZ, double[] logZSum, double[] logZSqSum, double[] targetSum,
                        double[] logitSum) {
    }

    /**
     * Logits (R, V) of {@code outMult.length} members (member m owning rows [m R/K, (m+1) R/K)): multiplies
     * each member's rows by its output multiplier in place, then computes per row log Z = logsumexp, the
     * softmax, and the sums the loss and its diagnostics need. A target outside the vocabulary is refused.
     */
    static CrossEntropy crossEntropy(INDArray logits, int[] targets, double[] outMult) {
        requireContiguous(logits);
        int members = outMult.length;
        int rows = (int) logits.size(0);
        int v = (int) logits.size(1);
        checkIds(targets, rows, v);
        int per = rows / members;
        INDArray probs = logits.ulike();
        INDArray logZ = Nd4j.createUninitialized(logits.dataType(), rows, 1);
        double[][] sums = new double[4][members];   // log Z, (log Z)^2, target logit, all logits; per member
        if (simd(logits)) {
            FusedSimd.crossEntropy(bytes(logits), bytes(probs), bytes(logZ), targets, rows, per, v, floats(outMult), sums);
            keepAlive(logits, probs, logZ);
        } else {
            Scratch s = SCRATCH.get();
            int n = rows * v;
            double[] xs = readD(logits, s.d(0, n), n);
            double[] ps = s.d(1, n);
            double[] zs = s.d(2, rows);
            for (int r = 0; r < rows; r++) {
                int m = r / per;
                int o = r * v;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < v; j++) {
                    xs[o + j] *= outMult[m];
                    max = Math.max(max, xs[o + j]);
                }
                double sum = 0;
                double all = 0;
                for (int j = 0; j < v; j++) {
                    ps[o + j] = Math.exp(xs[o + j] - max);
                    sum += ps[o + j];
                    all += xs[o + j];
                }
                for (int j = 0; j < v; j++) {
                    ps[o + j] /= sum;
                }
                double lz = Math.log(sum) + max;
                zs[r] = lz;
                sums[0][m] += lz;
                sums[1][m] += lz * lz;
                sums[2][m] += xs[o + targets[r]];
                sums[3][m] += all;
            }
            writeD(logits, xs, n);
            writeD(probs, ps, n);
            writeD(logZ, zs, rows);
        }
        return new CrossEntropy(probs, logZ, sums[0], sums[1], sums[2], sums[3]);
    }

    /**
     * d(loss)/d(logits) = ((1 + 2 z_m log Z) p - onehot(target)) * scale_m, in place on {@code ce}'s
     * softmax (a pass runs backward once), for loss = mean CE + z_m mean (log Z)^2 and scale_m = the
     * member's output multiplier over its token count.
     */
    static INDArray crossEntropyBackward(CrossEntropy ce, int[] targets, double[] zLoss, double[] scale) {
        INDArray p = ce.probs();
        int members = zLoss.length;
        int rows = (int) p.size(0);
        int v = (int) p.size(1);
        int per = rows / members;
        double[] z2 = new double[members];
        for (int m = 0; m < members; m++) {
            z2[m] = 2 * zLoss[m];
        }
        if (simd(p)) {
            FusedSimd.crossEntropyBackward(bytes(p), bytes(ce.logZ()), targets, rows, per, v, floats(z2), floats(scale));
            keepAlive(p, ce.logZ());
        } else {
            Scratch s = SCRATCH.get();
            int n = rows * v;
            double[] ps = readD(p, s.d(0, n), n);
            double[] zs = readD(ce.logZ(), s.d(1, rows), rows);
            for (int r = 0; r < rows; r++) {
                int m = r / per;
                double coef = z2[m] * zs[r] + 1;
                for (int j = 0; j < v; j++) {
                    ps[r * v + j] = (ps[r * v + j] * coef - (j == targets[r] ? 1 : 0)) * scale[m];
                }
            }
            writeD(p, ps, n);
        }
        return p;
    }

    /**
     * The token embedding's gradient: row (m V + id) of grad (K V, C) gets the sum of dx's rows (R, C) that
     * looked it up, member m owning rows [m R/K, (m+1) R/K), added in row order onto grad's values when
     * {@code accumulate} (a tied head's share) or onto zeros.
     */
    static void embeddingGrad(INDArray dx, int[] ids, int members, int vocab, INDArray grad, boolean accumulate) {
        requireContiguous(grad);
        dx = contiguous(dx);
        int rows = (int) dx.size(0);
        int c = (int) dx.size(1);
        checkIds(ids, rows, vocab);
        if (grad.length() != (long) members * vocab * c) {
            throw new IllegalArgumentException("Cannot add embedding gradients into " + grad.shapeInfoToString() + ": want "
                    + members + " x " + vocab + " x " + c + " values");
        }
        if (!accumulate) {
            grad.assign(0);
        }
        int per = rows / members;
        if (simd(dx)) {
            FusedSimd.embeddingGrad(bytes(dx), ids, rows, per, vocab, c, bytes(grad));
            keepAlive(dx, grad);
        } else {
            Scratch s = SCRATCH.get();
            int n = rows * c;
            int gn = members * vocab * c;
            double[] ds = readD(dx, s.d(0, n), n);
            double[] gs = readD(grad, s.d(1, gn), gn);
            for (int r = 0; r < rows; r++) {
                int g = ((r / per) * vocab + ids[r]) * c;
                for (int j = 0; j < c; j++) {
                    gs[g + j] += ds[r * c + j];
                }
            }
            writeD(grad, gs, gn);
        }
    }

    /** One token id per row, each inside the vocabulary: the check every lookup by token id makes (the models' too). */
    static void checkIds(int[] ids, int rows, int vocab) {
        if (ids.length != rows) {
            throw new IllegalArgumentException("Cannot index " + rows + " rows by " + ids.length + " token ids.");
        }
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("Cannot embed token " + id + ": outside the vocabulary of " + vocab + ".");
            }
        }
    }

    // ---- AdamW -------------------------------------------------------------------------------------------

    /** Each member's sum of squares over its block of x (members equal blocks, in order). */
    public static double[] sumSquares(INDArray x, int members) {
        x = contiguous(x);
        int n = length(x);
        int per = n / members;
        double[] out = new double[members];
        if (simd(x)) {
            ByteBuffer xb = bytes(x);
            for (int m = 0; m < members; m++) {
                // float partial sums over chunks that start at each member's first element, added in
                // double: a member sums as its solo run does
                for (int off = 0; off < per; off += CHUNK) {
                    out[m] += FusedSimd.sumSquares(xb, m * per + off, Math.min(CHUNK, per - off));
                }
            }
            keepAlive(x);
        } else {
            Scratch s = SCRATCH.get();
            double[] xs = readD(x, s.d(0, n), n);
            for (int m = 0; m < members; m++) {
                double acc = 0;
                for (int i = m * per; i < (m + 1) * per; i++) {
                    acc += xs[i] * xs[i];
                }
                out[m] = acc;
            }
        }
        return out;
    }

    /**
     * One AdamW step, in place on the parameter p and the moments m and v, member by member (each its own
     * block and scalars): g' = gradScale g; m = b1 m + (1 - b1) g'; v = b2 v + (1 - b2) g'^2;
     * u = step m / (sqrt(v) / bc2Sqrt + eps); p = keep p - u, the op order of {@code torch.optim.AdamW}
     * (keep = 1 - decay). Returns each member's sums of squares of u and of the new p.
     */
    public static double[][] adamw(INDArray p, INDArray g, INDArray m, INDArray v, int members, double[] gradScale, double[] b1,
                            double[] b2, double[] step, double[] bc2Sqrt, double[] eps, double[] keep) {
        requireContiguous(p);
        requireContiguous(m);
        requireContiguous(v);
        int n = length(p);
        int per = n / members;
        double[] updSq = new double[members];
        double[] parSq = new double[members];
        if (simd(p)) {
            ByteBuffer pb = bytes(p);
            INDArray gc = contiguous(g);
            ByteBuffer gb = bytes(gc);
            ByteBuffer mb = bytes(m);
            ByteBuffer vb = bytes(v);
            for (int k = 0; k < members; k++) {
                for (int off = 0; off < per; off += CHUNK) {
                    double[] sq = FusedSimd.adamw(pb, gb, mb, vb, k * per + off, Math.min(CHUNK, per - off),
                            (float) gradScale[k], (float) b1[k], (float) (1 - b1[k]), (float) b2[k], (float) (1 - b2[k]),
                            (float) step[k], (float) bc2Sqrt[k], (float) eps[k], (float) keep[k]);
                    updSq[k] += sq[0];
                    parSq[k] += sq[1];
                }
            }
            keepAlive(p, gc, m, v);
        } else {
            Scratch s = SCRATCH.get();
            double[] ps = readD(p, s.d(0, n), n);
            double[] gs = readD(contiguous(g), s.d(1, n), n);
            double[] ms = readD(m, s.d(2, n), n);
            double[] vs = readD(v, s.d(3, n), n);
            for (int k = 0; k < members; k++) {
                double u2 = 0;
                double p2 = 0;
                for (int i = k * per; i < (k + 1) * per; i++) {
                    double gi = gs[i] * gradScale[k];
                    ms[i] = ms[i] * b1[k] + gi * (1 - b1[k]);
                    vs[i] = vs[i] * b2[k] + gi * gi * (1 - b2[k]);
                    double u = ms[i] / (Math.sqrt(vs[i]) / bc2Sqrt[k] + eps[k]) * step[k];
                    ps[i] = ps[i] * keep[k] - u;
                    u2 += u * u;
                    p2 += ps[i] * ps[i];
                }
                updSq[k] = u2;
                parSq[k] = p2;
            }
            writeD(p, ps, n);
            writeD(m, ms, n);
            writeD(v, vs, n);
        }
        return new double[][] {updSq, parSq};
    }

    // ---- moving data between ND4J buffers and the heap -------------------------------------------------

    private static INDArray contiguous(INDArray x) {
        return isContiguous(x) ? x : x.dup('c');
    }

    /** One block in row-major order: what the kernels read and write in place. */
    private static boolean isContiguous(INDArray x) {
        return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x);
    }

    private static float[] floats(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    /**
     * Keeps arrays reachable up to this point: an array outside a workspace has its memory freed once the
     * garbage collector finds it unreachable, and the JIT may find it so as soon as its byte buffer is made.
     */
    static void keepAlive(Object... arrays) {
        java.lang.ref.Reference.reachabilityFence(arrays);
    }

    /** An array written in place must be one block in row-major order. */
    private static void requireContiguous(INDArray x) {
        if (!isContiguous(x)) {
            throw new IllegalArgumentException("Cannot run a fused kernel in place on " + x.shapeInfoToString()
                    + ": it needs a contiguous row-major array.");
        }
    }

    private static int length(INDArray x) {
        return Math.toIntExact(x.length());
    }

    /**
     * The floats of a contiguous float array as a direct byte buffer over ND4J's own memory, for the vector
     * code to read and write in place. The buffer does not keep the array alive: callers hold the array
     * until the kernel returns ({@link #keepAlive}).
     */
    private static ByteBuffer bytes(INDArray x) {
        long n = x.length();
        if (n > Integer.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("Cannot run a fused kernel on " + x.shapeInfoToString()
                    + ": arrays over 2 GB take the ND4J code (-Dproxylaw.fused=false).");
        }
        // a view's addressPointer() already points at its first element (as in Bmm)
        return new FloatPointer(x.data().addressPointer()).position(0).limit(n).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    /** x's first n values (a double array), in {@code dst}. */
    private static double[] readD(INDArray x, double[] dst, int n) {
        if (x.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("Cannot run fused kernels on " + x.dataType() + " arrays: float or double.");
        }
        new DoublePointer(x.data().addressPointer()).position(0).get(dst, 0, n);
        keepAlive(x);
        return dst;
    }

    private static void writeD(INDArray x, double[] src, int n) {
        new DoublePointer(x.data().addressPointer()).position(0).put(src, 0, n);
        keepAlive(x);
    }

    /** Per-thread heap arrays for the double code, grown on demand and kept: slot i holds one operand of the running kernel. */
    private static final class Scratch {
        private final double[][] d = new double[6][];

        double[] d(int slot, int n) {
            if (d[slot] == null || d[slot].length < n) {
                d[slot] = new double[n];
            }
            return d[slot];
        }
    }
}
