package dev.proxylaw.trainer.schedule;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The shape of a decay phase: weight w(p) from 1 at p = 0 to 0 at p = 1. */
public enum DecayShape {
    LINEAR("linear"),
    COSINE("cosine"),
    ONE_MINUS_SQRT("1-sqrt"),
    /** exp(-k p) rescaled to reach exactly 0 at p = 1, k = 5 (about 99% of the drop by the end). */
    EXPONENTIAL("exponential");

    private static final double K = 5.0;
    private final String yamlName;

    DecayShape(String yamlName) {
        this.yamlName = yamlName;
    }

    public double weight(double p) {
        return switch (this) {
            case LINEAR -> 1 - p;
            case COSINE -> 0.5 * (1 + Math.cos(Math.PI * p));
            case ONE_MINUS_SQRT -> 1 - Math.sqrt(p);
            case EXPONENTIAL -> (Math.exp(-K * p) - Math.exp(-K)) / (1 - Math.exp(-K));
        };
    }

    @JsonValue
    public String yamlName() {
        return yamlName;
    }

    @JsonCreator
    public static DecayShape parse(String name) {
        return Arrays.stream(values()).filter(s -> s.yamlName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Cannot build schedule: decay_shape='" + name
                        + "' is unknown; use linear, cosine, 1-sqrt or exponential."));
    }
}
