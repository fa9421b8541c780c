package dev.proxylaw.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link LayerNorm} for a pack: rows (K*R, C), member k owning rows [kR, (k+1)R) and its own weight
 * row of the (K, C) scale and bias. The normalisation is per row, so it is the solo code; only the
 * scale, the bias and their gradients are per member.
 */
final class PackedLayerNorm {
    private PackedLayerNorm() {
    }

    static INDArray forward(INDArray x, int k, Param w, Param b, double eps, LayerNorm.Cache[] cacheOut) {
        if (Fused.ON) {
            return Fused.layerNorm(x, w.value(), b == null ? null : b.value(), k, eps, cacheOut);
        }
        long rows = x.size(0);
        INDArray mean = x.mean(true, 1);                    // (KR, 1)
        INDArray xc = x.subColumnVector(mean);              // (KR, C)
        INDArray var = xc.mul(xc).mean(true, 1);
        INDArray rstd = Transforms.pow(var.addi(eps), -0.5, false);
        INDArray xhat = xc.muliColumnVector(rstd);
        INDArray y = mulRows(xhat, k, w.value(), false);
        if (b != null) {
            INDArray y3 = members(y, k);
            Broadcast.add(y3, b.value(), y3, 0, 2);
        }
        if (cacheOut != null) {
            cacheOut[0] = new LayerNorm.Cache(xhat, rstd.reshape(rows, 1));
        }
        return y;
    }

    /** As {@link LayerNorm#backward}, with each member's weight and gradient rows. */
    static INDArray backward(INDArray dy, LayerNorm.Cache c, int k, Param w, Param b) {
        if (Fused.ON) {
            return Fused.layerNormBackward(dy, c, w.value(), k, w.grad(), b == null ? null : b.grad());
        }
        INDArray dyXhat = dy.mul(c.xhat());
        w.grad().assign(members(dyXhat, k).sum(1));
        if (b != null) {
            b.grad().assign(members(dy, k).sum(1));
        }
        INDArray dxhat = mulRows(dy, k, w.value(), false);
        INDArray m1 = dxhat.mean(true, 1);
        INDArray m2 = mulRows(dyXhat, k, w.value(), true).mean(true, 1);   // mean(dxhat * xhat)
        return dxhat.subiColumnVector(m1).subi(c.xhat().mulColumnVector(m2)).muliColumnVector(c.rstd());
    }

    /** x (K*R, C) times member k's row of w (K, C); in place or into a new array. */
    static INDArray mulRows(INDArray x, int k, INDArray w, boolean inPlace) {
        INDArray out = inPlace ? x : x.ulike();
        Broadcast.mul(members(x, k), w, members(out, k), 0, 2);
        return out;
    }

    /** (K, R, C) view of (K*R, C). */
    static INDArray members(INDArray x, int k) {
        return PerMember.slices(x, k).reshape(k, x.size(0) / k, x.size(1));
    }
}
