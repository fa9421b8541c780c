package dev.proxylaw.analysis.fit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Run tables generated from a known Step Law: loss = E(N, D) + alpha (ln lr - ln lr*)^2
 * + beta (ln B - ln B*)^2 + Gaussian noise, a convex bowl with a plateau like the paper's landscape.
 * Runs above 4 lr* diverge, and a few runs fail, so the fits meet both.
 */
final class SyntheticRuns {
    // the truth the fits must recover: lr* = exp(C0) N^CN D^CD, B*_tokens = exp(K0) D^KD
    static final double C0 = 0.0;
    static final double CN = -0.7;
    static final double CD = 0.3;
    static final double K0 = Math.log(0.58);
    static final double KD = 0.57;
    // bowl curvatures in ln lr and ln B: they set how wide the 0.25% plateau is
    static final double LR_CURVATURE = 0.02;
    static final double BATCH_CURVATURE = 0.01;
    static final double[] NS = {5e7, 1e8, 2e8, 4e8, 8e8};
    static final double[] DS = {1e9, 4e9, 1.6e10, 6.4e10};

    private SyntheticRuns() {
    }

    static double lrStar(double n, double d) {
        return Math.exp(C0 + CN * Math.log(n) + CD * Math.log(d));
    }

    static double batchStar(double d) {
        return Math.exp(K0 + KD * Math.log(d));
    }

    static double floorLoss(double n, double d) {
        return 1.8 + 400 / Math.pow(n, 0.34) + 400 / Math.pow(d, 0.28);
    }

    static List<RunPoint> stepLawTable(long seed, double noiseSd) {
        Random rng = new Random(seed);
        List<RunPoint> out = new ArrayList<>();
        for (double n : NS) {
            for (double d : DS) {
                String cell = "N=" + n + ",D=" + d;
                for (int k = 0; k <= 14; k++) {
                    double lr = 1e-4 * Math.pow(2, k / 2.0);
                    for (int j = 0; j <= 16; j++) {
                        double b = Math.pow(2, 14 + j / 2.0);
                        if (lr > 4 * lrStar(n, d)) {
                            out.add(RunPoint.diverged(cell, n, d, lr, b));
                        } else if ((k * 17 + j) % 97 == 5) {
                            out.add(new RunPoint(cell, n, d, lr, b, Double.NaN, RunStatus.FAILED));
                        } else {
                            double u = Math.log(lr / lrStar(n, d));
                            double v = Math.log(b / batchStar(d));
                            double loss = floorLoss(n, d) + LR_CURVATURE * u * u + BATCH_CURVATURE * v * v + noiseSd * rng.nextGaussian();
                            out.add(RunPoint.completed(cell, n, d, lr, b, loss));
                        }
                    }
                }
            }
        }
        return out;
    }
}
