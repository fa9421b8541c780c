package dev.proxylaw.trainer;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Thread budget of ND4J's native code. For proxy-sized models one single-threaded training per core
 * beats one training spread over all cores, so a training process defaults to one thread.
 */
public final class NativeThreads {
    // per thread: tasks of one executor train concurrently on different GPUs; inherited by threads a training starts
    private static final InheritableThreadLocal<String> ASSIGNED = new InheritableThreadLocal<>();

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

    /**
     * Labels the trainings of this thread with the accelerator a scheduler assigned to it (such as
     * {@code spark-gpu=1 cuda=0}), or with none when null.
     */
    public static void assign(String label) {
        if (label == null) {
            ASSIGNED.remove();
        } else {
            ASSIGNED.set(label);
        }
    }

    /** The device a run trained on, recorded with it. */
    public static String device() {
        String base = cpuBackend() ? "cpu/" + System.getProperty("os.arch") + "/threads=" + Nd4j.getEnvironment().maxThreads()
                : Nd4j.getBackend().getClass().getSimpleName();
        return ASSIGNED.get() == null ? base : base + " " + ASSIGNED.get();
    }
}
