package dev.proxylaw.analysis.fit;

import org.apache.commons.math3.exception.MathIllegalArgumentException;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/** Ordinary least squares with an intercept (commons-math3's QR, not normal equations: log N and log D are collinear-ish). */
public record LinearFit(double[] beta, double rSquared, double residualRms, int points) {
    /**
     * Fits y = beta[0] + sum_j beta[j+1] x[i][j]. Returns null when the design is rank-deficient or too
     * small (e.g. a bootstrap resample that drew a single D), so a caller can drop that replicate.
     */
    public static LinearFit ols(double[][] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("Cannot fit: " + x.length + " rows of x but " + y.length + " of y.");
        }
        // a singularity threshold on QR's diagonal: the default (0) lets a resample whose ln N and ln D are
        // collinear up to rounding through, with coefficients of 1e15 that wreck the bootstrap's mean
        OLSMultipleLinearRegression r = new OLSMultipleLinearRegression(1e-9);
        try {
            r.newSampleData(y.clone(), copy(x));
            double[] beta = r.estimateRegressionParameters();
            double[] res = r.estimateResiduals();
            double ss = 0;
            for (double e : res) {
                ss += e * e;
            }
            // R^2 is undefined (0/0) when y is constant; report NaN rather than a made-up number
            double r2 = r.calculateTotalSumOfSquares() > 0 ? r.calculateRSquared() : Double.NaN;
            return new LinearFit(beta, r2, Math.sqrt(ss / res.length), y.length);
        } catch (MathIllegalArgumentException e) {
            // includes SingularMatrixException (rank-deficient design) and too few rows
            return null;
        }
    }

    private static double[][] copy(double[][] x) {
        double[][] c = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            c[i] = x[i].clone();
        }
        return c;
    }
}
