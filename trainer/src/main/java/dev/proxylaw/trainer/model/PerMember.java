package dev.proxylaw.trainer.model;

import java.util.Arrays;
import java.util.function.IntToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One scalar per member of a pack (a multiplier, an LR, a clip coefficient), applied to arrays whose
 * leading extent is the pack: member k owns the k-th of K equal, contiguous slices. When every member
 * has the same value it is a plain scalar op, bit for bit what a solo run does; otherwise one broadcast
 * op over a (K, n) view, which computes the same product per element.
 */
public final class PerMember {
    private final double[] values;
    private final boolean uniform;
    private INDArray vector;

    public PerMember(double[] values) {
        this.values = values.clone();
        this.uniform = Arrays.stream(values).allMatch(v -> Double.compare(v, values[0]) == 0);
    }

    public static PerMember of(int k, IntToDoubleFunction value) {
        double[] v = new double[k];
        for (int i = 0; i < k; i++) {
            v[i] = value.applyAsDouble(i);
        }
        return new PerMember(v);
    }

    public double get(int k) {
        return values[k];
    }

    public int size() {
        return values.length;
    }

    /** Every member's value, a copy. */
    public double[] values() {
        return values.clone();
    }

    /** True when every member holds exactly {@code v}: callers skip an op that would multiply by 1 or add 0. */
    public boolean allEqual(double v) {
        return uniform && Double.compare(values[0], v) == 0;
    }

    private INDArray vector(DataType dtype) {
        if (vector == null || vector.dataType() != dtype) {
            vector = Workspaces.outside(() -> Nd4j.create(values, new long[] {values.length}, dtype));
        }
        return vector;
    }

    /** x *= value of its member, in place; x's leading extent is split into K member slices. */
    public INDArray muli(INDArray x) {
        if (uniform) {
            // x * 1.0 is x exactly: skip the op (the solo model skips these multipliers at 1 too)
            return values[0] == 1.0 ? x : x.muli(values[0]);
        }
        INDArray v = slices(x);
        Broadcast.mul(v, vector(x.dataType()), v, 0);
        return x;
    }

    /** x /= value of its member, in place. */
    public INDArray divi(INDArray x) {
        if (uniform) {
            return x.divi(values[0]);
        }
        INDArray v = slices(x);
        Broadcast.div(v, vector(x.dataType()), v, 0);
        return x;
    }

    /** x += value of its member, in place. */
    public INDArray addi(INDArray x) {
        if (uniform) {
            return x.addi(values[0]);
        }
        INDArray v = slices(x);
        Broadcast.add(v, vector(x.dataType()), v, 0);
        return x;
    }

    /** A new array: x times the value of its member. */
    public INDArray mul(INDArray x) {
        return muli(x.dup());
    }

    /** The members kept, in the order given. */
    public PerMember retain(int[] keep) {
        double[] v = new double[keep.length];
        for (int i = 0; i < keep.length; i++) {
            v[i] = values[keep[i]];
        }
        return new PerMember(v);
    }

    private INDArray slices(INDArray x) {
        return slices(x, values.length);
    }

    /** (K, n) view of a contiguous array whose length is K slices of n; never a copy, so in-place ops land in x. */
    static INDArray slices(INDArray x, int k) {
        if (x.ordering() != 'c' || !Shape.hasDefaultStridesForShape(x)) {
            throw new IllegalStateException("Cannot view " + x.shapeInfoToString() + " as member slices: not contiguous");
        }
        return x.reshape(k, x.length() / k);
    }

    /** Per member: the sum of its slice. */
    static double[] sums(INDArray x, int k) {
        return slices(x, k).sum(1).toDoubleVector();
    }

    /** Per member: the largest element of its slice. */
    static double[] maxes(INDArray x, int k) {
        return slices(x, k).max(1).toDoubleVector();
    }

    /** Per member: the sum of |element| over its slice. */
    static double[] norm1s(INDArray x, int k) {
        return slices(x, k).norm1(1).toDoubleVector();
    }

    /** Per member: the L2 norm of its slice. */
    public static double[] norm2s(INDArray x, int k) {
        return slices(x, k).norm2(1).toDoubleVector();
    }
}
