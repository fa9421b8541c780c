package dev.proxylaw.trainer.model;

/**
 * Parameter groups, each with its own LR scale, weight decay and epsilon (science.md section 5).
 * The column suffix names the group in the steps dataset ({@code lr_hidden}, {@code update_rms_embed}, ...).
 */
public enum Group {
    /** token and position embeddings */
    EMBED("embed"),
    /** every weight matrix inside the blocks */
    HIDDEN("hidden"),
    /** norm weights, qk-norm scales and biases inside the blocks */
    BLOCK_VEC("block_vec"),
    /** the final LayerNorm */
    OUT_VEC("out_vec"),
    /** the unembedding (absent when tied) */
    UNEMBED("unembed");

    private final String column;

    Group(String column) {
        this.column = column;
    }

    public String column() {
        return column;
    }
}
