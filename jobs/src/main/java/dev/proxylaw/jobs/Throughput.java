package dev.proxylaw.jobs;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.OptimConfig;
import dev.proxylaw.trainer.config.ParamConfig;
import dev.proxylaw.trainer.model.Gpt;
import dev.proxylaw.trainer.model.Parameterization;
import dev.proxylaw.trainer.optim.AdamW;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/** Measured training throughput of one shape on this machine, in the calling thread. */
final class Throughput {
    private Throughput() {
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
}
