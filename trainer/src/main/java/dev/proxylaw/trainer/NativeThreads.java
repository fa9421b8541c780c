package dev.proxylaw.trainer;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Thread budget of ND4J's native code. For proxy-sized models one single-threaded training per core
 * beats one training spread over all cores, so a training process defaults to one thread.
 */
public final class NativeThreads {
    private NativeThreads() {
    }

    public static void set(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        if (cpuBackend()) {
            org.bytedeco.openblas.global.openblas.blas_set_num_threads(threads);
        }
    }

    public static boolean cpuBackend() {
        return Nd4j.getBackend().getClass().getName().contains("Cpu");
    }

    /** The device a run trained on, recorded with it. */
    public static String device() {
        return cpuBackend() ? "cpu/" + System.getProperty("os.arch") + "/threads=" + Nd4j.getEnvironment().maxThreads()
                : Nd4j.getBackend().getClass().getSimpleName();
    }
}
