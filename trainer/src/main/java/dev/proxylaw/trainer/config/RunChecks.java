package dev.proxylaw.trainer.config;

import dev.proxylaw.trainer.schedule.Schedule;

/**
 * Checks that need the whole run, not one section: a schedule that cannot do what it says in the run's
 * length, and a shape whose tensors cannot exist (more elements than one array holds) or whose training
 * state would not fit in the memory a task has. Sizes are estimated in doubles, so they cannot overflow.
 */
public final class RunChecks {
    /** ND4J and Java arrays index with int in the places this trainer uses them. */
    static final double MAX_ELEMENTS = Integer.MAX_VALUE;

    private RunChecks() {
    }

    static void schedule(Schedule s, long total) {
        int warmup = s.warmupSteps();
        if (warmup > total) {
            throw new ConfigException("Cannot schedule the run: schedule.warmup_steps=" + warmup + " is longer than the run's "
                    + total + " steps, so it would end before reaching its peak LR. Use warmup_steps below " + total
                    + " or train longer.");
        }
        // Java 17: no pattern switch; cosine and constant have no separate decay phase
        double fraction = s instanceof Schedule.Wsd w ? w.decayFraction()
                : s instanceof Schedule.Power p ? p.decayFraction() : 0;
        long decay = Math.round(fraction * total);
        if (fraction > 0 && decay == 0) {
            throw new ConfigException("Cannot schedule the run: schedule.decay_fraction=" + fraction + " of " + total
                    + " steps rounds to no decay step, so the decay never starts. Raise decay_fraction to at least "
                    + String.format("%.3g", 0.5 / total) + " or set it to 0.");
        }
        if (decay > 0 && warmup > total - decay) {
            throw new ConfigException("Cannot schedule the run: the decay over the last " + decay + " of " + total
                    + " steps starts before the " + warmup + " warmup steps end. Shorten warmup_steps or decay_fraction.");
        }
    }

    /** The vocabulary the run will have, or a lower bound where the data decides it (shards). */
    private static double vocab(ModelConfig model, DataConfig data) {
        if (model.vocab() != null) {
            return model.vocab();
        }
        return switch (data.source()) {
            case "markov" -> data.markovAlphabet();
            case "text" -> 256;
            default -> 2;
        };
    }

    static void shape(ModelConfig m, TrainConfig train, DataConfig data) {
        double d = m.dModel();
        double t = m.seqLen();
        double b = train.batchSize();
        double v = vocab(m, data);
        check("the MLP weight (d_model x 4 d_model)", d * 4 * d, "d_model");
        check("the embedding (vocab x d_model)", v * d, "d_model");
        check("the position embedding (seq_len x d_model)", t * d, "seq_len or d_model");
        check("the activations of one layer (batch_size x seq_len x 4 d_model)", b * t * 4 * d, "batch_size, seq_len or d_model");
        check("the attention scores of one layer (batch_size x n_heads x seq_len^2)", b * m.nHeads() * t * t,
                "batch_size or seq_len");
        check("the logits (batch_size x seq_len x vocab)", b * t * v, "batch_size or seq_len");
    }

    private static void check(String what, double elements, String fix) {
        if (elements > MAX_ELEMENTS) {
            throw new ConfigException(String.format("Cannot build model: %s would have %.3g elements, more than one array "
                    + "holds (2^31 - 1). Reduce %s.", what, elements, fix));
        }
    }

    /**
     * Estimated bytes to train the run: weights, gradients and the two AdamW moments, plus the activations
     * kept for the backward pass (residual stream, attention scores and MLP per layer; logits).
     */
    public static double estimatedBytes(RunConfig c) {
        ModelConfig m = c.model();
        double d = m.dModel();
        double l = m.nLayers();
        double t = m.seqLen();
        double b = c.train().batchSize();
        double v = vocab(m, c.data());
        double params = v * d * (m.tiedEmbeddings() ? 1 : 2) + t * d + l * (12 * d * d + 13 * d) + 2 * d;
        double activations = l * (b * t * d * 20 + b * m.nHeads() * t * t * 3) + b * t * v * 3;
        return (4 * params + activations) * (c.train().dtype().equals("float64") ? 8 : 4);
    }

    /** Fails with the estimate and the fix when the run ({@code what}: its file and name) would not fit in {@code budgetBytes}. */
    public static void fits(RunConfig c, String what, double budgetBytes, String where, String raise) {
        double need = estimatedBytes(c);
        if (need > budgetBytes) {
            throw new ConfigException(String.format("Cannot train %s: it needs an estimated %s (weights, gradients, "
                    + "AdamW state and activations at batch_size %d, seq_len %d, d_model %d) and %s has %s. Reduce d_model, "
                    + "n_layers, seq_len or batch_size, or %s.", what, bytes(need), c.train().batchSize(),
                    c.model().seqLen(), c.model().dModel(), where, bytes(budgetBytes), raise));
        }
    }

    public static String bytes(double n) {
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        int i = 0;
        while (n >= 1024 && i < units.length - 1) {
            n /= 1024;
            i++;
        }
        return String.format("%.1f %s", n, units[i]);
    }
}
