package dev.proxylaw.analysis.fit;

/**
 * Least squares of y on one x with an intercept, in closed form: what a bootstrap of a one-variable law needs
 * thousands of times, where a QR decomposition per replicate (LinearFit) cost seconds. {intercept, slope}, both
 * NaN when fewer than two points or x does not vary.
 */
final class Line {
    private Line() {
    }

    static double[] fit(double[] x, double[] y, int n) {
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - mx) * (x[i] - mx);
            sxy += (x[i] - mx) * (y[i] - my);
        }
        // relative to the spread of x: a resample that drew one value has sxx at rounding level
        if (!(sxx > 1e-12 * Math.max(1, mx * mx) * n)) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double slope = sxy / sxx;
        return new double[] {my - slope * mx, slope};
    }
}
