package dev.proxylaw.trainer.model;

import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import java.util.EnumMap;
import java.util.Map;

/**
 * Every deviation of muP and depth-alpha (CompleteP at alpha = 1) from SP, decided in one place:
 * init scale, forward multipliers and per-group LR scale, weight decay and epsilon. The table is
 * science.md section 5; at the base shape every type reduces to SP exactly.
 *
 * @param mN width multiplier d / d_base
 * @param mL depth multiplier L / L_base
 * @param resMult residual-branch multiplier m_L^-alpha
 * @param outMult unembedding forward multiplier 1/m_N
 * @param attnScale the attention logit scale
 * @param hiddenInitStd std of the block matrices, s / sqrt(m_N)
 * @param embedInitStd std of embeddings and unembedding, s
 */
public record Parameterization(String type, String variant, double mN, double mL, double alpha, double resMult,
                               double outMult, double attnScale, double hiddenInitStd, double embedInitStd,
                               Map<Group, GroupSettings> groups) {

    /** What AdamW uses for one group: LR = scheduled LR * lrScale. */
    public record GroupSettings(double lrScale, double weightDecay, double eps) {
    }

    public static Parameterization of(ModelConfig model, ParamConfig param, OptimConfig optim) {
        String type = param.type();
        boolean sp = type.equals("sp");
        boolean depth = type.equals("depth");
        boolean reference = param.variant().equals("reference");
        int baseWidth = param.baseWidth() == null ? model.dModel() : param.baseWidth();
        int baseDepth = param.baseDepth() == null ? model.nLayers() : param.baseDepth();
        double mN = sp ? 1.0 : (double) model.dModel() / baseWidth;
        double mL = depth ? (double) model.nLayers() / baseDepth : 1.0;
        double alpha = depth ? param.alpha() : 0.0;
        double eta = 1.0;   // LR scales are relative to the scheduled base LR
        double lambda = optim.weightDecay();
        double eps = optim.eps();

        double hiddenLr = eta * Math.pow(mL, alpha - 1) / mN;
        double blockVecLr = eta * Math.pow(mL, alpha - 1);
        // the reference code's muP path scales neither hidden WD nor eps
        boolean referenceMup = reference && type.equals("mup");
        // coupled AdamW decays by lr*wd: wd*m_N keeps the per-step decay of hidden weights width-independent.
        // Independent decay (s_t*lambda) carries no LR, so it is left unscaled.
        boolean scaleWd = !sp && !referenceMup && optim.wdStyle().equals("coupled");
        double hiddenWd = scaleWd ? lambda * mN : lambda;
        double blockEps = sp || referenceMup ? eps : eps / (mN * Math.pow(mL, alpha));
        double otherEps = depth && reference ? blockEps : eps;

        Map<Group, GroupSettings> groups = new EnumMap<>(Group.class);
        groups.put(Group.EMBED, new GroupSettings(eta * param.embeddingLrMult(), lambda, otherEps));
        groups.put(Group.HIDDEN, new GroupSettings(hiddenLr, hiddenWd, blockEps));
        groups.put(Group.BLOCK_VEC, new GroupSettings(blockVecLr, 0.0, blockEps));
        groups.put(Group.OUT_VEC, new GroupSettings(eta, 0.0, otherEps));
        groups.put(Group.UNEMBED, new GroupSettings(eta, lambda, otherEps));

        int headDim = model.headDim();
        String scaleRule = model.attnScale().equals("auto") ? (sp ? "inv_sqrt" : "inv") : model.attnScale();
        // 1/d_head scaling, normalised so that it equals 1/sqrt(d_head) at the base width
        double baseHeadDim = (double) baseWidth / model.nHeads();
        // written as 1/sqrt(hd) * sqrt(hd_base/hd) = sqrt(hd_base)/hd, so the base shape gives SP's value bit for bit
        double attnScale = 1.0 / Math.sqrt(headDim) * (scaleRule.equals("inv_sqrt") ? 1.0 : Math.sqrt(baseHeadDim / headDim));

        double s = model.initStd();
        return new Parameterization(type, param.variant(), mN, mL, alpha, Math.pow(mL, -alpha), 1.0 / mN, attnScale,
                s / Math.sqrt(mN), s, groups);
    }

    public GroupSettings group(Group g) {
        return groups.get(g);
    }
}
