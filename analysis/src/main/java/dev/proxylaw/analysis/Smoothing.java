package dev.proxylaw.analysis;

/**
 * The Step Law "smooth loss": a Gaussian filter over the logged train loss, read at the last point,
 * with sigma = min(100, 0.01 * number of logged points) points (science.md section 2). The filter is
 * scipy.ndimage.gaussian_filter1d's: truncate at 4 sigma, 'reflect' boundary (d c b a | a b c d).
 */
public final class Smoothing {
    private Smoothing() {
    }

    public static double stepLawSigma(int points) {
        return Math.min(100.0, 0.01 * points);
    }

    /** The smoothed value at the last point, or NaN if any input is not finite or there is none. */
    public static double smoothedFinal(double[] loss) {
        if (loss.length == 0) {
            return Double.NaN;
        }
        for (double v : loss) {
            if (!Double.isFinite(v)) {
                return Double.NaN;
            }
        }
        double[] s = gaussianFilter1d(loss, stepLawSigma(loss.length));
        return s[s.length - 1];
    }

    public static double[] gaussianFilter1d(double[] x, double sigma) {
        int n = x.length;
        if (sigma <= 0 || n == 0) {
            return x.clone();
        }
        int radius = (int) (4.0 * sigma + 0.5);
        double[] w = new double[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
            w[k + radius] = Math.exp(-0.5 * k * k / (sigma * sigma));
            sum += w[k + radius];
        }
        for (int k = 0; k < w.length; k++) {
            w[k] /= sum;
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double acc = 0;
            for (int k = -radius; k <= radius; k++) {
                acc += w[k + radius] * x[reflect(i + k, n)];
            }
            out[i] = acc;
        }
        return out;
    }

    /** scipy 'reflect': the edge sample is repeated, period 2n. */
    static int reflect(int i, int n) {
        int period = 2 * n;
        int j = Math.floorMod(i, period);
        return j < n ? j : period - 1 - j;
    }
}
