package dev.proxylaw.trainer.config;

import static dev.proxylaw.trainer.config.ConfigException.orDefault;
import static dev.proxylaw.trainer.config.ConfigException.require;

/**
 * The parameterization: SP, muP, or depth-alpha (alpha=1 is CompleteP), see science.md section 5.
 *
 * @param type {@code sp}, {@code mup} or {@code depth}
 * @param baseWidth d_base for m_N = d_model / d_base
 * @param baseDepth L_base for m_L = n_layers / L_base
 * @param alpha depth exponent for {@code depth}, in [0, 1]
 * @param embeddingLrMult multiplies the embedding LR, with any type (Kalra and Barkeshli)
 * @param variant {@code table}: science.md's table; {@code reference}: the nanoGPT-mup completep branch
 *     (muP does not scale hidden WD or eps; with depth scaling eps is scaled in every group)
 */
public record ParamConfig(String type, Integer baseWidth, Integer baseDepth, Double alpha, Double embeddingLrMult,
                          String variant) {
    public ParamConfig {
        type = orDefault(type, "sp");
        alpha = orDefault(alpha, type.equals("depth") ? 1.0 : 0.0);
        embeddingLrMult = orDefault(embeddingLrMult, 1.0);
        variant = orDefault(variant, "table");
        require(type.equals("sp") || type.equals("mup") || type.equals("depth"),
                "Cannot use param.type='" + type + "': use sp, mup or depth.");
        require(baseWidth == null || baseWidth > 0, "Cannot use param.base_width=" + baseWidth + ": it must be positive.");
        require(baseDepth == null || baseDepth > 0, "Cannot use param.base_depth=" + baseDepth + ": it must be positive.");
        require(alpha >= 0 && alpha <= 1, "Cannot use param.alpha=" + alpha + ": it must lie in [0, 1] (1 = CompleteP).");
        require(embeddingLrMult > 0, "Cannot use param.embedding_lr_mult=" + embeddingLrMult + ": it must be positive.");
        require(variant.equals("table") || variant.equals("reference"),
                "Cannot use param.variant='" + variant + "': use table or reference.");
    }

    public static ParamConfig sp() {
        return new ParamConfig("sp", null, null, null, null, null);
    }
}
