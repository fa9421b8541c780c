package dev.proxylaw.trainer.config;

import static dev.proxylaw.trainer.config.ConfigException.orDefault;
import static dev.proxylaw.trainer.config.ConfigException.require;

/**
 * The GPT's shape and architectural switches.
 *
 * @param vocab vocabulary size; defaults to the tokenizer's
 * @param attnScale {@code auto} (decided by the parameterization), {@code inv_sqrt} (1/sqrt(d_head)) or
 *     {@code inv} (1/d_head, normalised to equal inv_sqrt at the base width)
 */
public record ModelConfig(Integer vocab, Integer dModel, Integer nLayers, Integer nHeads, Integer seqLen,
                          Boolean tiedEmbeddings, Boolean bias, Boolean qkLayernorm, String attnScale,
                          Double initStd, Double lnEps) {
    public ModelConfig {
        dModel = orDefault(dModel, 64);
        nLayers = orDefault(nLayers, 2);
        nHeads = orDefault(nHeads, 4);
        seqLen = orDefault(seqLen, 64);
        tiedEmbeddings = orDefault(tiedEmbeddings, false);
        bias = orDefault(bias, false);
        qkLayernorm = orDefault(qkLayernorm, false);
        attnScale = orDefault(attnScale, "auto");
        initStd = orDefault(initStd, 0.02);
        lnEps = orDefault(lnEps, 1e-5);
        require(vocab == null || vocab >= 2, "Cannot build model: vocab=" + vocab + " must be at least 2.");
        require(dModel > 0, "Cannot build model: d_model=" + dModel + " must be positive.");
        require(nLayers > 0, "Cannot build model: n_layers=" + nLayers + " must be positive.");
        require(nHeads > 0, "Cannot build model: n_heads=" + nHeads + " must be positive.");
        require(dModel % nHeads == 0, "Cannot build model: d_model=" + dModel + " is not divisible by n_heads="
                + nHeads + ". Choose d_model a multiple of n_heads.");
        require(seqLen > 0, "Cannot build model: seq_len=" + seqLen + " must be positive.");
        require(attnScale.equals("auto") || attnScale.equals("inv_sqrt") || attnScale.equals("inv"),
                "Cannot build model: attn_scale='" + attnScale + "' must be auto, inv_sqrt or inv.");
        require(initStd > 0, "Cannot build model: init_std=" + initStd + " must be positive.");
        require(lnEps > 0, "Cannot build model: ln_eps=" + lnEps + " must be positive.");
    }

    public int headDim() {
        return dModel / nHeads;
    }

    public ModelConfig withVocab(int v) {
        return new ModelConfig(v, dModel, nLayers, nHeads, seqLen, tiedEmbeddings, bias, qkLayernorm, attnScale, initStd, lnEps);
    }
}
