package dev.proxylaw.jobs.fit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxylaw.analysis.fit.EdgeRule;
import dev.proxylaw.analysis.fit.FitCore;
import dev.proxylaw.analysis.fit.Replicates;
import dev.proxylaw.analysis.fit.Resampling;
import dev.proxylaw.analysis.fit.RunRecord;
import dev.proxylaw.analysis.fit.RunStatus;
import dev.proxylaw.analysis.fit.laws.LawsDocument;
import dev.proxylaw.analysis.fit.laws.LawsFile;
import dev.proxylaw.jobs.spark.Spark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** Every replicate batch sent to Spark tasks gives laws.json byte for byte as the plain JVM does. */
class SparkReplicatesTest {
    @Test
    void sparkTasksGiveTheCoresLaws() throws Exception {
        // two families over 3 N x 3 D x 3 batches x 7 LRs, with seq_len: Step Law, Power, surface all fitted
        List<RunRecord> runs = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(5);
        for (String family : List.of("a", "b")) {
            for (double n : new double[] {1e6, 4e6, 1.6e7}) {
                for (double d : new double[] {1e8, 4e8, 1.6e9}) {
                    for (double bs : new double[] {32, 64, 128}) {
                        double lnEta = Math.log(bs * 4) - 0.5 * Math.log(d);
                        for (int k = -3; k <= 3; k++) {
                            double loss = 1.7 + 400 / Math.pow(n, 0.34) + 400 / Math.pow(d, 0.28) + 0.01 * k * k * 0.1
                                    + 1e-4 * rng.nextGaussian();
                            runs.add(new RunRecord(family, n, d, Math.exp(lnEta + 0.35 * k), bs * 256, 256, loss,
                                    RunStatus.COMPLETED, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
                        }
                    }
                }
            }
        }
        FitCore.Options o = new FitCore.Options(0.0025, 50, 10, 3, Resampling.CELL, EdgeRule.EXCLUDE);
        LawsDocument local = FitCore.fit(runs, o, Replicates.IN_PROCESS, "t", null).laws();
        SparkSession spark = Spark.session("SparkReplicatesTest", "local[2]", Map.of());
        try {
            LawsDocument onSpark = FitCore.fit(runs, o,
                    new SparkReplicates(JavaSparkContext.fromSparkContext(spark.sparkContext()), 0), "t", null).laws();
            assertEquals(LawsFile.toJson(local), LawsFile.toJson(onSpark));
        } finally {
            spark.stop();
        }
    }
}
