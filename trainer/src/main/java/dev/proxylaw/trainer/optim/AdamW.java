package dev.proxylaw.trainer.optim;

import dev.proxylaw.trainer.model.Fused;
import dev.proxylaw.trainer.model.Group;
import dev.proxylaw.trainer.model.Param;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.model.Workspaces;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * AdamW with parameter groups (LR scale, weight decay and epsilon each), coupled or independent
 * weight decay, and global gradient-norm clipping. Coupled matches {@code torch.optim.AdamW}:
 * theta *= 1 - lr_g * wd_g, then theta -= lr_g / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps_g).
 * Independent (Wortsman et al.): theta *= 1 - s_t * wd_g with s_t = eta_t / eta_peak. On CPU each
 * parameter's update is one {@link Fused#adamw} pass.
 */
public final class AdamW {
    private final List<Slot> slots = new ArrayList<>();
    private final Parameterization pz;
    private final double beta1;
    private final double beta2;
    private final boolean independentWd;
    private long t;

    private record Slot(Param p, INDArray m, INDArray v) {
    }

    /** What one step did, per group in {@link Group} order. */
    public record StepStats(double gradNorm, boolean clipped, double[] lr, double[] updateRms, double[] paramRms) {
    }

    public AdamW(Collection<Param> params, Parameterization pz, double beta1, double beta2, boolean independentWd) {
        for (Param p : params) {
            slots.add(new Slot(p, p.value().ulike().assign(0), p.value().ulike().assign(0)));
        }
        this.pz = pz;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.independentWd = independentWd;
    }

    /** L2 norm over every gradient, as torch.nn.utils.clip_grad_norm_ computes it. */
    private double gradNorm() {
        double sq = 0;
        for (Slot s : slots) {
            if (Fused.ON) {
                sq += Fused.sumSquares(s.p().grad(), 1)[0];
            } else {
                double n = s.p().grad().norm2Number().doubleValue();
                sq += n * n;
            }
        }
        return Math.sqrt(sq);
    }

    /**
     * Clips (if {@code clip > 0}) and applies one update at base LR {@code lr}; {@code peakLr} sets s_t
     * for independent decay. Returns the pre-clip gradient norm and per-group statistics.
     */
    public StepStats step(double lr, double peakLr, double clip) {
        return Workspaces.run("adamw", () -> update(lr, peakLr, clip));
    }

    private StepStats update(double lr, double peakLr, double clip) {
        double norm = gradNorm();
        boolean clipped = false;
        double gradScale = 1.0;
        if (clip > 0) {
            double coef = clip / (norm + 1e-6);
            if (coef < 1.0) {
                gradScale = coef;
                clipped = true;
            }
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
        int groups = Group.values().length;
        double[] lrs = new double[groups];
        double[] updSq = new double[groups];
        double[] parSq = new double[groups];
        long[] count = new long[groups];
        for (Group g : Group.values()) {
            lrs[g.ordinal()] = lr * pz.group(g).lrScale();
        }
        for (Slot s : slots) {
            Param p = s.p();
            Parameterization.GroupSettings gs = pz.group(p.group());
            double lrG = lrs[p.group().ordinal()];
            int gi = p.group().ordinal();
            count[gi] += p.value().length();
            double keep = p.decays() && gs.weightDecay() > 0
                    ? 1 - (independentWd ? (lr / peakLr) * gs.weightDecay() : lrG * gs.weightDecay()) : 1.0;
            if (Fused.ON) {
                double[][] sq = Fused.adamw(p.value(), p.grad(), s.m(), s.v(), 1, new double[] {gradScale},
                        new double[] {beta1}, new double[] {beta2}, new double[] {lrG / bc1}, new double[] {bc2Sqrt},
                        new double[] {gs.eps()}, new double[] {keep});
                updSq[gi] += sq[0][0];
                parSq[gi] += sq[1][0];
                continue;
            }
            INDArray g = gradScale == 1.0 ? p.grad() : p.grad().mul(gradScale);
            s.m().muli(beta1).addi(g.mul(1 - beta1));
            s.v().muli(beta2).addi(g.mul(g).muli(1 - beta2));
            // update = lr_g * mhat / (sqrt(vhat) + eps), with torch's placement of the bias corrections
            INDArray denom = Transforms.sqrt(s.v(), true).divi(bc2Sqrt).addi(gs.eps());
            INDArray update = s.m().div(denom).muli(lrG / bc1);
            if (keep != 1.0) {
                p.value().muli(keep);
            }
            p.value().subi(update);
            double un = update.norm2Number().doubleValue();
            double pn = p.value().norm2Number().doubleValue();
            updSq[gi] += un * un;
            parSq[gi] += pn * pn;
        }
        double[] updRms = new double[groups];
        double[] parRms = new double[groups];
        for (int i = 0; i < groups; i++) {
            updRms[i] = count[i] == 0 ? Double.NaN : Math.sqrt(updSq[i] / count[i]);
            parRms[i] = count[i] == 0 ? Double.NaN : Math.sqrt(parSq[i] / count[i]);
            if (count[i] == 0) {
                lrs[i] = Double.NaN;
            }
        }
        return new StepStats(norm, clipped, lrs, updRms, parRms);
    }

    public long stepsTaken() {
        return t;
    }
}
