package dev.proxylaw.analysis.fit;

/**
 * The one home of the Step Law's formula (fit, predict, report and notebooks evaluate it through here).
 * Step Law in log form: ln lr = c0 + cN ln N + cD ln D and ln B_tokens = k0 + kD ln D (natural logs;
 * the paper's prefactors are exp(c0) and exp(k0)). NaN fields mark a degenerate bootstrap replicate.
 */
public record StepLawCoefficients(double c0, double cN, double cD, double k0, double kD) implements java.io.Serializable {
    public double predictLr(double n, double d) {
        return Math.exp(c0 + cN * Math.log(n) + cD * Math.log(d));
    }

    public double predictBatchTokens(double d) {
        return Math.exp(k0 + kD * Math.log(d));
    }

    public double[] toArray() {
        return new double[] {c0, cN, cD, k0, kD};
    }

    public static StepLawCoefficients of(double[] c) {
        return new StepLawCoefficients(c[0], c[1], c[2], c[3], c[4]);
    }

    public boolean finite() {
        return Double.isFinite(c0) && Double.isFinite(cN) && Double.isFinite(cD) && Double.isFinite(k0)
            && Double.isFinite(kD);
    }

    static final StepLawCoefficients DEGENERATE =
        new StepLawCoefficients(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
}
