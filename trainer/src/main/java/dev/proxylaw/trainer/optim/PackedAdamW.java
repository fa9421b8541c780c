package dev.proxylaw.trainer.optim;

import dev.proxylaw.trainer.model.Fused;
import dev.proxylaw.trainer.model.Group;
import dev.proxylaw.trainer.model.PackedGpt;
import dev.proxylaw.trainer.model.Param;
import dev.proxylaw.trainer.model.PerMember;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.model.Workspaces;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link AdamW} for a {@link PackedGpt}: every member keeps its own moments, betas, weight-decay style,
 * per-group LR, decay and epsilon, its own gradient norm and clip. The update is AdamW's, op for op,
 * with each scalar a {@link PerMember}; all members step together (a member that ends is dropped from
 * the pack by {@link #retain}), so the step count and bias corrections are shared. On CPU each
 * parameter's update is one {@link Fused#adamw} pass over every member's block.
 */
public final class PackedAdamW {
    /** What one member's optimizer does, besides the schedule. */
    public record Member(Parameterization pz, double beta1, double beta2, boolean independentWd) {
    }

    private List<Slot> slots = new ArrayList<>();
    private List<Member> members;
    private long t;

    private record Slot(Param p, INDArray m, INDArray v) {
    }

    public PackedAdamW(PackedGpt model, List<Member> members) {
        if (members.size() != model.members()) {
            throw new IllegalArgumentException("Cannot build the optimizer: " + members.size() + " settings for "
                    + model.members() + " members.");
        }
        for (Param p : model.params().values()) {
            slots.add(new Slot(p, p.value().ulike().assign(0), p.value().ulike().assign(0)));
        }
        this.members = List.copyOf(members);
    }

    /** Keeps the members at {@code keep} of a model that has just been cut the same way. */
    public void retain(int[] keep, PackedGpt model) {
        List<Slot> kept = new ArrayList<>();
        for (Slot s : slots) {
            kept.add(new Slot(model.param(s.p().name()), PackedGpt.retainRows(s.m(), keep), PackedGpt.retainRows(s.v(), keep)));
        }
        slots = kept;
        List<Member> m = new ArrayList<>();
        for (int i : keep) {
            m.add(members.get(i));
        }
        members = List.copyOf(m);
    }

    /**
     * One step of every member at base LR {@code lr[k]} (peak {@code peakLr[k]}, clip {@code clip[k]}, 0 = off).
     * Returns each member's pre-clip gradient norm and per-group statistics, as {@link AdamW#step} does.
     */
    public AdamW.StepStats[] step(double[] lr, double[] peakLr, double[] clip) {
        return Workspaces.run("packed-adamw", () -> update(lr, peakLr, clip));
    }

    private AdamW.StepStats[] update(double[] lr, double[] peakLr, double[] clip) {
        int k = members.size();
        double[] normSq = new double[k];
        for (Slot s : slots) {
            if (Fused.ON) {
                double[] sq = Fused.sumSquares(s.p().grad(), k);
                for (int i = 0; i < k; i++) {
                    normSq[i] += sq[i];
                }
                continue;
            }
            double[] n = PerMember.norm2s(s.p().grad(), k);
            for (int i = 0; i < k; i++) {
                normSq[i] += n[i] * n[i];
            }
        }
        double[] norm = new double[k];
        boolean[] clipped = new boolean[k];
        double[] gradScale = new double[k];
        for (int i = 0; i < k; i++) {
            norm[i] = Math.sqrt(normSq[i]);
            gradScale[i] = 1.0;
            if (clip[i] > 0) {
                double coef = clip[i] / (norm[i] + 1e-6);
                if (coef < 1.0) {
                    gradScale[i] = coef;
                    clipped[i] = true;
                }
            }
        }
        t++;
        PerMember scale = new PerMember(gradScale);
        PerMember b1 = PerMember.of(k, i -> members.get(i).beta1());
        PerMember oneMinusB1 = PerMember.of(k, i -> 1 - members.get(i).beta1());
        PerMember b2 = PerMember.of(k, i -> members.get(i).beta2());
        PerMember oneMinusB2 = PerMember.of(k, i -> 1 - members.get(i).beta2());
        PerMember bc2Sqrt = PerMember.of(k, i -> Math.sqrt(1 - Math.pow(members.get(i).beta2(), t)));
        double[] bc1 = new double[k];
        for (int i = 0; i < k; i++) {
            bc1[i] = 1 - Math.pow(members.get(i).beta1(), t);
        }
        int groups = Group.values().length;
        double[][] lrs = new double[k][groups];
        for (int i = 0; i < k; i++) {
            for (Group g : Group.values()) {
                lrs[i][g.ordinal()] = lr[i] * members.get(i).pz().group(g).lrScale();
            }
        }
        double[][] updSq = new double[k][groups];
        double[][] parSq = new double[k][groups];
        long[] count = new long[groups];
        for (Slot s : slots) {
            Param p = s.p();
            Group group = p.group();
            int gi = group.ordinal();
            count[gi] += p.value().length() / k;
            // each member's weight-decay factor (1 where it does not decay), its step size and epsilon
            double[] keep = new double[k];
            for (int i = 0; i < k; i++) {
                Member mi = members.get(i);
                double wd = mi.pz().group(group).weightDecay();
                keep[i] = !p.decays() || wd <= 0 ? 1.0 : 1 - (mi.independentWd() ? (lr[i] / peakLr[i]) * wd : lrs[i][gi] * wd);
            }
            PerMember step = PerMember.of(k, i -> lrs[i][gi] / bc1[i]);
            PerMember eps = PerMember.of(k, i -> members.get(i).pz().group(group).eps());
            if (Fused.ON) {
                double[][] sq = Fused.adamw(p.value(), p.grad(), s.m(), s.v(), k, gradScale, b1.values(), b2.values(),
                        step.values(), bc2Sqrt.values(), eps.values(), keep);
                for (int i = 0; i < k; i++) {
                    updSq[i][gi] += sq[0][i];
                    parSq[i][gi] += sq[1][i];
                }
                continue;
            }
            INDArray g = scale.allEqual(1.0) ? p.grad() : scale.mul(p.grad());
            b1.muli(s.m()).addi(oneMinusB1.mul(g));
            b2.muli(s.v()).addi(oneMinusB2.muli(g.mul(g)));
            // update = lr_g * mhat / (sqrt(vhat) + eps), with torch's placement of the bias corrections
            INDArray denom = eps.addi(bc2Sqrt.divi(Transforms.sqrt(s.v(), true)));
            INDArray update = step.muli(s.m().div(denom));
            new PerMember(keep).muli(p.value());    // skipped where every member keeps 1
            p.value().subi(update);
            double[] un = PerMember.norm2s(update, k);
            double[] pn = PerMember.norm2s(p.value(), k);
            for (int i = 0; i < k; i++) {
                updSq[i][gi] += un[i] * un[i];
                parSq[i][gi] += pn[i] * pn[i];
            }
        }
        AdamW.StepStats[] out = new AdamW.StepStats[k];
        for (int i = 0; i < k; i++) {
            double[] updRms = new double[groups];
            double[] parRms = new double[groups];
            double[] lrsI = lrs[i].clone();
            for (int gi = 0; gi < groups; gi++) {
                updRms[gi] = count[gi] == 0 ? Double.NaN : Math.sqrt(updSq[i][gi] / count[gi]);
                parRms[gi] = count[gi] == 0 ? Double.NaN : Math.sqrt(parSq[i][gi] / count[gi]);
                if (count[gi] == 0) {
                    lrsI[gi] = Double.NaN;
                }
            }
            out[i] = new AdamW.StepStats(norm[i], clipped[i], lrsI, updRms, parRms);
        }
        return out;
    }

    public long stepsTaken() {
        return t;
    }
}
