package dev.proxylaw.trainer.schedule;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Learning-rate schedules as pure functions of (step, tokens seen). Formulas: science.md sections 1, 2, 4.
 * Every schedule returns the base LR at a step; parameter groups multiply it by their own LR scale.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = Schedule.Constant.class, name = "constant"),
        @JsonSubTypes.Type(value = Schedule.Cosine.class, name = "cosine"),
        @JsonSubTypes.Type(value = Schedule.Wsd.class, name = "wsd"),
        @JsonSubTypes.Type(value = Schedule.Power.class, name = "power")})
public sealed interface Schedule {

    /** What a schedule may depend on besides the step: the run's length and batch. */
    record Horizon(long totalSteps, long tokensPerStep, int batchSequences) {
        public long totalTokens() {
            return totalSteps * tokensPerStep;
        }
    }

    /**
     * Base LR for optimizer step {@code step} (0-based) when {@code tokensSeen} tokens have been trained on
     * before it; {@code peak} is the run's optim.lr.
     */
    double lr(double peak, long step, long tokensSeen, Horizon h);

    /** Linear warmup length in steps; every schedule has one. */
    int warmupSteps();

    /** The YAML {@code type} of this schedule. */
    @JsonIgnore
    default String typeName() {
        return getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static double warmup(int warmupSteps, long step, double peak) {
        return step < warmupSteps ? peak * (step + 1) / warmupSteps : peak;
    }

    private static double progress(long done, long total) {
        return total <= 0 ? 1.0 : Math.min(1.0, Math.max(0.0, (double) done / total));
    }

    /** Constant LR after an optional linear warmup. */
    record Constant(int warmupSteps) implements Schedule {
        public Constant {
            check(warmupSteps >= 0, "schedule.warmup_steps=" + warmupSteps + " must be >= 0");
        }

        @Override
        public double lr(double peak, long step, long tokensSeen, Horizon h) {
            return warmup(warmupSteps, step, peak);
        }
    }

    /**
     * Linear warmup then cosine decay to a floor given absolutely ({@code min_lr}, Step Law uses 1e-5)
     * or as a fraction of the peak ({@code min_lr_fraction}); the default floor is 1e-5.
     */
    record Cosine(int warmupSteps, Double minLr, Double minLrFraction) implements Schedule {
        public Cosine {
            check(warmupSteps >= 0, "schedule.warmup_steps=" + warmupSteps + " must be >= 0");
            check(minLr == null || minLrFraction == null, "give schedule.min_lr or schedule.min_lr_fraction, not both");
            check(minLr == null || minLr >= 0, "schedule.min_lr=" + minLr + " must be >= 0");
            check(minLrFraction == null || (minLrFraction >= 0 && minLrFraction <= 1),
                    "schedule.min_lr_fraction=" + minLrFraction + " must lie in [0, 1]");
        }

        @Override
        public double lr(double peak, long step, long tokensSeen, Horizon h) {
            if (step < warmupSteps) {
                return warmup(warmupSteps, step, peak);
            }
            double min = minLr(peak);
            double p = progress(step - warmupSteps, h.totalSteps() - warmupSteps);
            return min + (peak - min) * 0.5 * (1 + Math.cos(Math.PI * p));
        }

        double minLr(double peak) {
            if (minLrFraction != null) {
                return minLrFraction * peak;
            }
            return Math.min(peak, minLr == null ? 1e-5 : minLr);
        }
    }

    /** Warmup, stable at the peak, then a decay over the last {@code decay_fraction} of the steps. */
    record Wsd(int warmupSteps, double decayFraction, DecayShape decayShape, double minLr) implements Schedule {
        public Wsd {
            check(warmupSteps >= 0, "schedule.warmup_steps=" + warmupSteps + " must be >= 0");
            check(decayFraction >= 0 && decayFraction <= 1, "schedule.decay_fraction=" + decayFraction + " must lie in [0, 1]");
            check(minLr >= 0, "schedule.min_lr=" + minLr + " must be >= 0");
            decayShape = decayShape == null ? DecayShape.LINEAR : decayShape;
        }

        @Override
        public double lr(double peak, long step, long tokensSeen, Horizon h) {
            if (step < warmupSteps) {
                return warmup(warmupSteps, step, peak);
            }
            long decaySteps = Math.round(decayFraction * h.totalSteps());
            long decayStart = h.totalSteps() - decaySteps;
            if (decaySteps == 0 || step < decayStart) {
                return peak;
            }
            double p = progress(step - decayStart + 1, decaySteps);
            double floor = Math.min(minLr, peak);
            return floor + (peak - floor) * decayShape.weight(p);
        }
    }

    /**
     * The Power scheduler: eta(n) = min(eta_max, B * a * n^b) with B in sequences and n tokens seen;
     * eta_max is the run's optim.lr. Published constants: a = 4, b = -0.51, eta_max = 0.02. An optional
     * exponential decay toward 0 over the last {@code decay_fraction} of the steps.
     */
    record Power(double a, double b, int warmupSteps, double decayFraction) implements Schedule {
        public Power {
            check(a > 0, "schedule.a=" + a + " must be positive (published: 4)");
            check(b < 0, "schedule.b=" + b + " must be negative (published: -0.51)");
            check(warmupSteps >= 0, "schedule.warmup_steps=" + warmupSteps + " must be >= 0");
            check(decayFraction >= 0 && decayFraction < 1, "schedule.decay_fraction=" + decayFraction + " must lie in [0, 1)");
        }

        @Override
        public double lr(double etaMax, long step, long tokensSeen, Horizon h) {
            if (step < warmupSteps) {
                // linear warmup to the value the law gives at the end of warmup
                return eta(etaMax, (long) warmupSteps * h.tokensPerStep(), h) * (step + 1) / warmupSteps;
            }
            long decaySteps = Math.round(decayFraction * h.totalSteps());
            long decayStart = h.totalSteps() - decaySteps;
            if (decaySteps == 0 || step < decayStart) {
                return eta(etaMax, tokensSeen, h);
            }
            double start = eta(etaMax, decayStart * h.tokensPerStep(), h);
            return start * DecayShape.EXPONENTIAL.weight(progress(step - decayStart + 1, decaySteps));
        }

        /** eta(n) = min(eta_max, B * a * n^b); the cap at n = 0. */
        public double eta(double etaMax, long tokens, Horizon h) {
            return tokens <= 0 ? etaMax : Math.min(etaMax, h.batchSequences() * a * Math.pow(tokens, b));
        }

        /** Tokens after which the law drops below the cap: n* = (a B / eta_max)^(-1/b). */
        public double capReleaseTokens(double etaMax, int batchSequences) {
            return Math.pow(a * batchSequences / etaMax, -1.0 / b);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("Cannot build schedule: " + what + ".");
        }
    }
}
