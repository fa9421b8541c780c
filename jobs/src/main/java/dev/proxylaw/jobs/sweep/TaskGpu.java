package dev.proxylaw.jobs.sweep;

import dev.proxylaw.trainer.NativeThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The GPU a task trains on. Spark's GPU addresses are nvidia-smi indices (conf/spark/gpu-discovery.sh),
 * which count in PCI bus order over every GPU of the node; CUDA counts only the GPUs CUDA_VISIBLE_DEVICES
 * names, in that list's order, and fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID. An address used as a
 * CUDA index directly can land on another task's GPU, so it is translated here.
 */
public final class TaskGpu {
    private TaskGpu() {
    }

    /**
     * Selects the GPU Spark assigned to this task (when it assigned one) in ND4J and labels this thread's
     * runs with it (the runs table's device). Returns the address, or null on a task without a GPU.
     */
    public static String use(TaskContext tc) {
        scala.Option<ResourceInformation> gpu = tc == null ? scala.Option.empty() : tc.resources().get("gpu");
        if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
            NativeThreads.assign(null);   // executor threads are reused: no label from an earlier task
            return null;
        }
        String address = gpu.get().addresses()[0];
        int cuda = cudaIndex(address, System.getenv(), TaskGpu::uuidsFromNvidiaSmi);
        if (!NativeThreads.cpuBackend()) {
            Nd4j.getAffinityManager().unsafeSetDevice(cuda);
        }
        NativeThreads.assign("spark-gpu=" + address + " cuda=" + cuda);
        return address;
    }

    /**
     * CUDA's device index of the GPU with nvidia-smi index {@code address}, in a process with environment
     * {@code env}. {@code uuids} (nvidia-smi index to UUID) is asked only when CUDA_VISIBLE_DEVICES names UUIDs.
     */
    static int cudaIndex(String address, Map<String, String> env, Supplier<Map<String, String>> uuids) {
        if (!address.matches("\\d+")) {
            throw new IllegalStateException("Cannot train on GPU address '" + address + "': it is not an nvidia-smi index. "
                    + "Use conf/spark/gpu-discovery.sh as the GPU discovery script.");
        }
        if (!"PCI_BUS_ID".equals(env.get("CUDA_DEVICE_ORDER"))) {
            throw new IllegalStateException("Cannot train on GPU " + address + ": CUDA_DEVICE_ORDER is "
                    + (env.containsKey("CUDA_DEVICE_ORDER") ? env.get("CUDA_DEVICE_ORDER") : "unset")
                    + ", so CUDA may number the GPUs in another order than nvidia-smi. Set "
                    + "spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID (conf/spark/gpu-*.properties do).");
        }
        String visible = env.get("CUDA_VISIBLE_DEVICES");
        if (visible == null) {
            return Integer.parseInt(address);
        }
        List<String> entries = List.of(visible.split(",", -1)).stream().map(String::strip).toList();
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            boolean same = e.matches("\\d+") ? Integer.parseInt(e) == Integer.parseInt(address)
                    : !e.isEmpty() && uuids.get().getOrDefault(address, "").startsWith(e);   // CUDA accepts UUID prefixes
            if (same) {
                return i;
            }
        }
        throw new IllegalStateException("Cannot train on GPU " + address + ": CUDA_VISIBLE_DEVICES=" + visible
                + " hides it from CUDA. Run the discovery script with the executors' CUDA_VISIBLE_DEVICES (it honours it).");
    }

    private static Map<String, String> uuidsFromNvidiaSmi() {
        try {
            Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=index,uuid", "--format=csv,noheader")
                    .redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("Cannot map GPU UUIDs in CUDA_VISIBLE_DEVICES: nvidia-smi failed: "
                        + text.strip() + ". Check the NVIDIA driver.");
            }
            Map<String, String> out = new HashMap<>();
            text.lines().map(l -> l.split(",")).filter(f -> f.length == 2).forEach(f -> out.put(f[0].strip(), f[1].strip()));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot map GPU UUIDs in CUDA_VISIBLE_DEVICES: nvidia-smi cannot run ("
                    + e.getMessage() + "). Install the NVIDIA driver or name GPUs by index.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot map GPU UUIDs: interrupted.", e);
        }
    }
}
