package dev.proxylaw.jobs;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import dev.proxylaw.trainer.model.Gpt;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.optim.AdamW;
import dev.proxylaw.trainer.optim.PackedAdamW;
import dev.proxylaw.trainer.model.PackedGpt;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;

/** Measured training throughput of one shape on this machine, in the calling thread. */
final class Throughput {
    private Throughput() {
    }

    /**
     * Floating-point operations of the matrix products one token costs in a training step (forward and a
     * backward of twice its work): per layer the four linear maps (24 d^2) and attention's two products
     * over all T keys (4 T d, as they are computed, masked half included), and the unembedding (2 d V).
     * Embedding lookups, elementwise work and the optimizer are left out: they are a few percent.
     */
    static double matmulFlopsPerToken(ModelConfig m) {
        double d = m.dModel();
        return 3 * (m.nLayers() * (24 * d * d + 4.0 * m.seqLen() * d) + 2 * d * m.vocab());
    }

    /**
     * This core's single-threaded float matrix-product rate in GFLOP/s: the best of {@code reps} 1024^3
     * sgemm calls on ND4J's own OpenBLAS, the ceiling any way of batching the same products can reach.
     */
    static double sgemmPeakGflops(int reps) {
        int n = 1024;
        FloatPointer a = new FloatPointer((long) n * n);
        FloatPointer b = new FloatPointer((long) n * n);
        FloatPointer c = new FloatPointer((long) n * n);
        try {
            SplittableRandom rng = new SplittableRandom(0);
            for (long i = 0; i < (long) n * n; i++) {
                a.put(i, (float) rng.nextGaussian());
                b.put(i, (float) rng.nextGaussian());
            }
            double best = Double.POSITIVE_INFINITY;
            for (int r = 0; r < reps + 1; r++) {   // the first call warms up and is not counted
                long t0 = System.nanoTime();
                openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans, openblas.CblasNoTrans, n, n, n, 1f, a, n, b,
                        n, 0f, c, n);
                if (r > 0) {
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            return 2.0 * n * n * n / best / 1e9;
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }

    /** Tokens per second of full training steps (forward, backward, AdamW), after {@code warmup} untimed steps. */
    static double tokensPerSecond(ModelConfig m, int batch, int warmup, int steps) {
        OptimConfig o = OptimConfig.defaults();
        Parameterization pz = Parameterization.of(m, ParamConfig.sp(), o);
        Gpt gpt = new Gpt(m, pz, 0.0, DataType.FLOAT, 0);
        AdamW opt = new AdamW(gpt.params().values(), pz, o.beta1(), o.beta2(), false);
        SplittableRandom rng = new SplittableRandom(0);
        int n = batch * m.seqLen();
        int[] in = rng.ints(n, 0, m.vocab()).toArray();
        int[] tg = rng.ints(n, 0, m.vocab()).toArray();
        Batch b = new Batch(batch, m.seqLen(), in, tg);
        for (int i = 0; i < warmup; i++) {
            gpt.forwardBackward(b);
            opt.step(1e-3, 1e-3, 1.0);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            gpt.forwardBackward(b);
            opt.step(1e-3, 1e-3, 1.0);
        }
        return (double) n * steps / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * Tokens per second of a pack of {@code k} runs of the shape (each its own init, batch and LR) trained
     * together, counting every member's tokens: one thread, so also tokens per core-second.
     */
    static double packedTokensPerSecond(ModelConfig m, int batch, int k, int warmup, int steps) {
        OptimConfig o = OptimConfig.defaults();
        List<Gpt> members = new ArrayList<>();
        List<PackedAdamW.Member> optim = new ArrayList<>();
        Batch[] batches = new Batch[k];
        SplittableRandom rng = new SplittableRandom(0);
        int n = batch * m.seqLen();
        for (int i = 0; i < k; i++) {
            Parameterization pz = Parameterization.of(m, ParamConfig.sp(), o);
            members.add(new Gpt(m, pz, 0.0, DataType.FLOAT, i));
            optim.add(new PackedAdamW.Member(pz, o.beta1(), o.beta2(), false));
            batches[i] = new Batch(batch, m.seqLen(), rng.ints(n, 0, m.vocab()).toArray(), rng.ints(n, 0, m.vocab()).toArray());
        }
        PackedGpt pack = new PackedGpt(members, java.util.Collections.nCopies(k, 0.0));
        members.clear();
        PackedAdamW opt = new PackedAdamW(pack, optim);
        double[] lr = new double[k];
        double[] clip = new double[k];
        for (int i = 0; i < k; i++) {
            lr[i] = 1e-3 * Math.pow(2, i / 2.0);   // an LR ladder, as a sweep packs it
            clip[i] = 1.0;
        }
        for (int i = 0; i < warmup; i++) {
            pack.forwardBackward(batches);
            opt.step(lr, lr, clip);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            pack.forwardBackward(batches);
            opt.step(lr, lr, clip);
        }
        return (double) n * k * steps / ((System.nanoTime() - t0) / 1e9);
    }
}
