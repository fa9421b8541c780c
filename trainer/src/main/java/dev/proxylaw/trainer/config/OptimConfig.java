package dev.proxylaw.trainer.config;

import static dev.proxylaw.trainer.config.ConfigException.orDefault;
import static dev.proxylaw.trainer.config.ConfigException.require;

/**
 * AdamW. {@code lr} is the peak (base) LR; for the power schedule it is the cap eta_max.
 *
 * @param wdStyle {@code coupled}: PyTorch AdamW, theta -= eta_t*lambda*theta; {@code independent}:
 *     theta -= s_t*lambda*theta with s_t = eta_t/eta_peak (Wortsman et al.)
 * @param gradClip global gradient-norm clip; 0 disables it
 * @param zLoss coefficient of the z-loss (log Z)^2 averaged over tokens
 */
public record OptimConfig(Double lr, Double beta1, Double beta2, Double eps, Double weightDecay, String wdStyle,
                          Double gradClip, Double zLoss) {
    public OptimConfig {
        lr = orDefault(lr, 3e-3);
        beta1 = orDefault(beta1, 0.9);
        beta2 = orDefault(beta2, 0.95);
        eps = orDefault(eps, 1e-8);
        weightDecay = orDefault(weightDecay, 0.1);
        wdStyle = orDefault(wdStyle, "coupled");
        gradClip = orDefault(gradClip, 1.0);
        zLoss = orDefault(zLoss, 0.0);
        require(lr > 0 && Double.isFinite(lr), "Cannot use optim.lr=" + lr + ": the learning rate must be positive and finite.");
        require(beta1 >= 0 && beta1 < 1, "Cannot use optim.beta1=" + beta1 + ": it must lie in [0, 1).");
        require(beta2 >= 0 && beta2 < 1, "Cannot use optim.beta2=" + beta2 + ": it must lie in [0, 1).");
        require(eps > 0, "Cannot use optim.eps=" + eps + ": it must be positive (1e-8 is the default).");
        require(weightDecay >= 0, "Cannot use optim.weight_decay=" + weightDecay + ": it must be >= 0.");
        require(wdStyle.equals("coupled") || wdStyle.equals("independent"),
                "Cannot use optim.wd_style='" + wdStyle + "': use coupled or independent.");
        require(gradClip >= 0, "Cannot use optim.grad_clip=" + gradClip + ": it must be >= 0 (0 turns clipping off).");
        require(zLoss >= 0, "Cannot use optim.z_loss=" + zLoss + ": it must be >= 0.");
    }

    public static OptimConfig defaults() {
        return new OptimConfig(null, null, null, null, null, null, null, null);
    }

    public OptimConfig withLr(double newLr) {
        return new OptimConfig(newLr, beta1, beta2, eps, weightDecay, wdStyle, gradClip, zLoss);
    }
}
