package dev.proxylaw.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GELU, tanh form: g(x) = 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (GPT-2; torch
 * {@code gelu(approximate='tanh')}). Built from primitive ops because ND4J 1.0.0-M2.1's gelu ops
 * match neither this formula nor their own derivative. On CPU it runs in {@link Fused}.
 */
final class Gelu {
    private static final double C = Math.sqrt(2.0 / Math.PI);
    private static final double K = 0.044715;

    private Gelu() {
    }

    /** Returns g(x); writes tanh(u) into {@code tanhOut[0]} for the backward pass. */
    static INDArray forward(INDArray x, INDArray[] tanhOut) {
        if (Fused.ON) {
            return Fused.gelu(x, tanhOut);
        }
        return forwardNd4j(x, tanhOut);
    }

    /** The forward in ND4J operations: other backends, and the reference the fused code is tested against. */
    static INDArray forwardNd4j(INDArray x, INDArray[] tanhOut) {
        INDArray t = x.mul(x).muli(x).muli(K).addi(x).muli(C);
        Transforms.tanh(t, false);
        tanhOut[0] = t;
        return t.add(1.0).muli(x).muli(0.5);
    }

    /** dx = dy * (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)), in place on dy. */
    static INDArray backward(INDArray dy, INDArray x, INDArray t) {
        if (Fused.ON) {
            return Fused.geluBackward(dy, x, t);
        }
        return backwardNd4j(dy, x, t);
    }

    /** The backward in ND4J operations. */
    static INDArray backwardNd4j(INDArray dy, INDArray x, INDArray t) {
        INDArray inner = x.mul(x).muli(3 * K).addi(1.0).muli(x).muli(0.5 * C);   // 0.5 c x (1 + 3k x^2)
        INDArray sech2 = t.mul(t).rsubi(1.0);                                       // 1 - t^2
        INDArray local = inner.muli(sech2).addi(t.add(1.0).muli(0.5));
        return dy.muli(local);
    }
}
