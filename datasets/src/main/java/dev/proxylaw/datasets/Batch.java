package dev.proxylaw.datasets;

/**
 * One batch of {@code batch} sequences of {@code seqLen} tokens, row-major:
 * {@code inputs[b * seqLen + t]} predicts {@code targets[b * seqLen + t]}.
 */
public record Batch(int batch, int seqLen, int[] inputs, int[] targets) {
    public Batch {
        if (inputs.length != batch * seqLen || targets.length != batch * seqLen) {
            throw new IllegalArgumentException("Cannot build batch: expected " + batch * seqLen
                    + " tokens, got inputs=" + inputs.length + " targets=" + targets.length);
        }
    }

    public int tokens() {
        return batch * seqLen;
    }
}
