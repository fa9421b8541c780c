package dev.proxylaw.trainer.model;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batched matrix product of (N, ., .) arrays: C_i = op(A_i) @ op(B_i).
 *
 * <p>On ND4J's CPU backend this loops over cblas gemm calls on ND4J's own OpenBLAS, straight into the
 * arrays' buffers: ND4J 1.0.0-M2.1's batched matmul runs attention-sized products (64 x 128x32x128)
 * several times slower than the same gemms called one by one, and per-op overhead dominates a loop of
 * {@code Nd4j.gemm}. Other backends use {@code Nd4j.matmul}.
 */
final class Bmm {
    private static final boolean CPU = Nd4j.getBackend().getClass().getName().contains("Cpu");

    private Bmm() {
    }

    /** C = op(A) @ op(B) of 2-D arrays, as a batch of one: the same cblas call without Nd4j.gemm's overhead (10 to 40%). */
    static INDArray mm2(INDArray a, INDArray b, boolean transA, boolean transB) {
        INDArray c = mmInto(a.reshape(1, a.size(0), a.size(1)), b.reshape(1, b.size(0), b.size(1)), null, transA, transB, 0.0);
        return c.reshape(c.size(1), c.size(2));
    }

    /** C = op(A) @ op(B) + beta C of 2-D arrays, into the contiguous {@code c}. */
    static void mm2Into(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
        mmInto(a.reshape(1, a.size(0), a.size(1)), b.reshape(1, b.size(0), b.size(1)), c.reshape(1, c.size(0), c.size(1)),
                transA, transB, beta);
    }

    static INDArray mm(INDArray a, INDArray b, boolean transA, boolean transB) {
        return mmInto(a, b, null, transA, transB, 0.0);
    }

    /**
     * C_i = op(A_i) @ op(B_i) + beta * C_i into {@code c} (a contiguous (N, m, cols) array), or into a new
     * array when {@code c} is null.
     */
    static INDArray mmInto(INDArray a, INDArray b, INDArray c, boolean transA, boolean transB, double beta) {
        if (!CPU) {
            INDArray prod = Nd4j.matmul(a, b, transA, transB, false);
            if (c == null) {
                return prod;
            }
            return beta == 0.0 ? c.assign(prod) : c.muli(beta).addi(prod);
        }
        a = contiguous(a);
        b = contiguous(b);
        long n = a.size(0);
        int m = (int) (transA ? a.size(2) : a.size(1));
        int k = (int) (transA ? a.size(1) : a.size(2));
        int cols = (int) (transB ? b.size(1) : b.size(2));
        int kb = (int) (transB ? b.size(2) : b.size(1));
        if (k != kb || b.size(0) != n) {
            throw new IllegalArgumentException("Cannot multiply " + a.shapeInfoToString() + " by " + b.shapeInfoToString());
        }
        if (c == null) {
            // gemm with beta = 0 never reads C, so the output need not be zeroed first
            c = Nd4j.createUninitialized(a.dataType(), n, m, cols);
        } else if (c.size(0) != n || c.size(1) != m || c.size(2) != cols || contiguous(c) != c) {
            throw new IllegalArgumentException("Cannot multiply into " + c.shapeInfoToString() + ": want a contiguous ("
                    + n + ", " + m + ", " + cols + ") array");
        }
        int lda = (int) a.size(2);
        int ldb = (int) b.size(2);
        long strideA = a.size(1) * a.size(2);
        long strideB = b.size(1) * b.size(2);
        long strideC = (long) m * cols;
        // a view's addressPointer() already points at its first element: no offset() to add
        int ta = transA ? openblas.CblasTrans : openblas.CblasNoTrans;
        int tb = transB ? openblas.CblasTrans : openblas.CblasNoTrans;
        if (a.dataType() == DataType.FLOAT) {
            FloatPointer pa = new FloatPointer(a.data().addressPointer());
            FloatPointer pb = new FloatPointer(b.data().addressPointer());
            FloatPointer pc = new FloatPointer(c.data().addressPointer());
            for (long i = 0; i < n; i++) {
                pa.position(i * strideA);
                pb.position(i * strideB);
                pc.position(i * strideC);
                openblas.cblas_sgemm(openblas.CblasRowMajor, ta, tb, m, cols, k, 1f, pa, lda, pb, ldb, (float) beta, pc, cols);
            }
        } else if (a.dataType() == DataType.DOUBLE) {
            DoublePointer pa = new DoublePointer(a.data().addressPointer());
            DoublePointer pb = new DoublePointer(b.data().addressPointer());
            DoublePointer pc = new DoublePointer(c.data().addressPointer());
            for (long i = 0; i < n; i++) {
                pa.position(i * strideA);
                pb.position(i * strideB);
                pc.position(i * strideC);
                openblas.cblas_dgemm(openblas.CblasRowMajor, ta, tb, m, cols, k, 1.0, pa, lda, pb, ldb, beta, pc, cols);
            }
        } else {
            INDArray prod = Nd4j.matmul(a, b, transA, transB, false);
            return beta == 0.0 ? c.assign(prod) : c.muli(beta).addi(prod);
        }
        // the pointers do not keep a (perhaps a copy made above) or b alive through the products
        Fused.keepAlive(a, b);
        return c;
    }

    private static INDArray contiguous(INDArray x) {
        return x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) && x.rank() == 3 ? x : x.dup('c');
    }
}
