package dev.proxylaw.trainer.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A trainable tensor with its gradient buffer and its optimizer group. */
public final class Param {
    private final String name;
    private final Group group;
    private final boolean matrix;
    private final INDArray value;
    private final INDArray grad;

    Param(String name, Group group, INDArray value) {
        this(name, group, value, value.rank() == 2);
    }

    /** A parameter whose matrix-ness is given: a pack stacks K members' tensors along a leading axis. */
    Param(String name, Group group, INDArray value, boolean matrix) {
        this.name = name;
        this.group = group;
        this.matrix = matrix;
        this.value = value;
        this.grad = value.ulike();
    }

    public String name() {
        return name;
    }

    public Group group() {
        return group;
    }

    /** Weight decay applies to matrices only; norm scales and biases are never decayed. */
    public boolean decays() {
        return matrix;
    }

    public INDArray value() {
        return value;
    }

    public INDArray grad() {
        return grad;
    }
}
