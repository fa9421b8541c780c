package dev.proxylaw.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm over the last dimension of a 2-D (rows, features) array, forward and backward by hand: in
 * {@link Fused} on CPU, in ND4J operations (below) elsewhere.
 */
final class LayerNorm {
    /** What the backward pass needs: the normalised input and 1/sqrt(var + eps) per row (rows, 1). */
    record Cache(INDArray xhat, INDArray rstd) {
    }

    private LayerNorm() {
    }

    /** y = (x - mean) / sqrt(var + eps) * w (+ b); population variance, as torch. */
    static INDArray forward(INDArray x, Param w, Param b, double eps, Cache[] cacheOut) {
        if (Fused.ON) {
            return Fused.layerNorm(x, w.value(), b == null ? null : b.value(), 1, eps, cacheOut);
        }
        return forwardNd4j(x, w, b, eps, cacheOut);
    }

    /** The forward in ND4J operations: other backends, and the reference the fused code is tested against. */
    static INDArray forwardNd4j(INDArray x, Param w, Param b, double eps, Cache[] cacheOut) {
        long rows = x.size(0);
        INDArray mean = x.mean(true, 1);                    // (rows, 1)
        INDArray xc = x.subColumnVector(mean);              // (rows, C)
        INDArray var = xc.mul(xc).mean(true, 1);            // (rows, 1)
        INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false);
        INDArray xhat = xc.muliColumnVector(rstd);
        INDArray y = xhat.mulRowVector(w.value());
        if (b != null) {
            y.addiRowVector(b.value());
        }
        if (cacheOut != null) {
            cacheOut[0] = new Cache(xhat, rstd.reshape(rows, 1));
        }
        return y;
    }

    /**
     * dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * w. Writes the
     * gradients of w and b (overwriting) and returns dx.
     */
    static INDArray backward(INDArray dy, Cache c, Param w, Param b) {
        if (Fused.ON) {
            return Fused.layerNormBackward(dy, c, w.value(), 1, w.grad(), b == null ? null : b.grad());
        }
        return backwardNd4j(dy, c, w, b);
    }

    /** The backward in ND4J operations. */
    static INDArray backwardNd4j(INDArray dy, Cache c, Param w, Param b) {
        INDArray dyXhat = dy.mul(c.xhat());
        w.grad().assign(dyXhat.sum(0));
        if (b != null) {
            b.grad().assign(dy.sum(0));
        }
        INDArray dxhat = dy.mulRowVector(w.value());
        INDArray m1 = dxhat.mean(true, 1);
        INDArray m2 = dyXhat.muliRowVector(w.value()).mean(true, 1);   // mean(dxhat * xhat)
        return dxhat.subiColumnVector(m1).subi(c.xhat().mulColumnVector(m2)).muliColumnVector(c.rstd());
    }
}
