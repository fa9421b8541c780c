package dev.proxylaw.trainer.metrics;

import dev.proxylaw.trainer.config.ModelConfig;

/**
 * Size and cost of a model.
 *
 * @param nStepLaw N by the Step Law formula, L * (4 d^2 + k d d_ff): attention and FFN weight matrices,
 *     no embeddings, head or norms; k = 2 for this GELU MLP (d_ff = 4d), where the paper's gated FFN has k = 3
 * @param nonEmbeddingParams every parameter but wte, wpe and the untied head (norms and biases included)
 * @param totalParams every trainable parameter
 * @param flopsPerToken training FLOPs per token, 6 (N_matrices + d V) + 6 L T d (Kaplan et al.: forward
 *     2 per weight plus 2 L n_ctx d for attention, backward twice the forward)
 */
public record ModelStats(long nStepLaw, long nonEmbeddingParams, long totalParams, double flopsPerToken) {

    /** L (4 d^2 + 2 d d_ff) with d_ff = 4d: the attention and MLP weight matrices. */
    public static long nStepLaw(long dModel, long nLayers) {
        long dff = 4 * dModel;
        return nLayers * (4 * dModel * dModel + 2 * dModel * dff);
    }

    public static ModelStats of(ModelConfig m, long nonEmbeddingParams, long totalParams) {
        long d = m.dModel();
        long nStepLaw = nStepLaw(d, m.nLayers());
        double flops = 6.0 * (nStepLaw + d * m.vocab()) + 6.0 * m.nLayers() * m.seqLen() * d;
        return new ModelStats(nStepLaw, nonEmbeddingParams, totalParams, flops);
    }
}
