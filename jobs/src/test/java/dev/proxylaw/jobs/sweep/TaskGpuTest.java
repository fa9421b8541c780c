package dev.proxylaw.jobs.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class TaskGpuTest {
    static final Map<String, String> UUIDS = Map.of("0", "GPU-aaaa-1111", "1", "GPU-bbbb-2222", "2", "GPU-cccc-3333");
    static final Supplier<Map<String, String>> NO_SMI = () -> {
        throw new AssertionError("nvidia-smi asked although CUDA_VISIBLE_DEVICES names indices");
    };

    static Map<String, String> env(String visible) {
        return visible == null ? Map.of("CUDA_DEVICE_ORDER", "PCI_BUS_ID")
                : Map.of("CUDA_DEVICE_ORDER", "PCI_BUS_ID", "CUDA_VISIBLE_DEVICES", visible);
    }

    @Test
    void withoutCudaVisibleDevicesTheAddressIsTheIndex() {
        assertEquals(2, TaskGpu.cudaIndex("2", env(null), NO_SMI));
    }

    @Test
    void underCudaVisibleDevicesTheIndexIsThePositionInTheList() {
        assertEquals(0, TaskGpu.cudaIndex("2", env("2,0"), NO_SMI));
        assertEquals(1, TaskGpu.cudaIndex("0", env("2, 0"), NO_SMI));
        assertEquals(1, TaskGpu.cudaIndex("1", env("GPU-cccc,GPU-bbbb-2222"), () -> UUIDS));
    }

    @Test
    void aHiddenGpuIsRefused() {
        String m = assertThrows(IllegalStateException.class, () -> TaskGpu.cudaIndex("1", env("2,0"), NO_SMI)).getMessage();
        assertTrue(m.startsWith("Cannot train on GPU 1: CUDA_VISIBLE_DEVICES=2,0 hides it"), m);
    }

    @Test
    void cudasFastestFirstOrderIsRefused() {
        String m = assertThrows(IllegalStateException.class, () -> TaskGpu.cudaIndex("0", Map.of(), NO_SMI)).getMessage();
        assertTrue(m.contains("CUDA_DEVICE_ORDER is unset") && m.contains("spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID"), m);
    }

    @Test
    void anAddressThatIsNoIndexIsRefused() {
        String m = assertThrows(IllegalStateException.class, () -> TaskGpu.cudaIndex("GPU-aaaa", env(null), NO_SMI)).getMessage();
        assertTrue(m.contains("not an nvidia-smi index"), m);
    }
}
