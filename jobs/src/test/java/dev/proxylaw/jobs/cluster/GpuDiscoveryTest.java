package dev.proxylaw.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/spark/gpu-discovery.sh against a stand-in nvidia-smi: what it advertises to Spark and what it refuses. */
class GpuDiscoveryTest {
    @TempDir
    Path dir;

    record Result(int code, String stdout, String stderr) {
    }

    Result discover(String gpus, Map<String, String> env) throws Exception {
        Path gpuFile = Files.writeString(dir.resolve("gpus.txt"), gpus);
        ProcessBuilder pb = new ProcessBuilder(FakeGpus.DISCOVERY.toString());
        pb.environment().put("PATH", FakeGpus.install(dir.resolve("bin")) + ":/usr/bin:/bin");
        pb.environment().put("FAKE_GPUS", gpuFile.toString());
        pb.environment().remove("CUDA_VISIBLE_DEVICES");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), out.strip(), err.strip());
    }

    @Test
    void advertisesTheGpusItCanRunByNvidiaSmiIndex() throws Exception {
        Result r = discover(FakeGpus.AMPERE_PAIR, Map.of());
        assertEquals(0, r.code(), r.stderr());
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}", r.stdout());
    }

    @Test
    void refusesHopperNamingItsCapability() throws Exception {
        Result r = discover(FakeGpus.AMPERE_PAIR + "2, GPU-cccc, 00000000:B3:00.0, 9.0, NVIDIA H200\n", Map.of());
        assertEquals(1, r.code(), r.stdout());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().contains("Cannot use GPU 2 (NVIDIA H200): compute capability 9.0"), r.stderr());
    }

    @Test
    void hidingTheUnsupportedGpuWithCudaVisibleDevicesLeavesTheOthers() throws Exception {
        Result r = discover(FakeGpus.AMPERE_PAIR + "2, GPU-cccc, 00000000:B3:00.0, 9.0, NVIDIA H200\n",
                Map.of("CUDA_VISIBLE_DEVICES", "GPU-bbbb,0"));
        assertEquals(0, r.code(), r.stderr());
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}", r.stdout());
    }

    @Test
    void failsClearlyOnAMachineWithoutGpus() throws Exception {
        Result r = discover("", Map.of());
        assertEquals(1, r.code());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().contains("Cannot offer GPUs: nvidia-smi finds no GPU on this node"), r.stderr());
    }

    @Test
    void refusesAGpuBelowTheBuildsOldestCapability() throws Exception {
        Result r = discover("0, GPU-dddd, 00000000:04:00.0, 3.5, Tesla K20m\n", Map.of());
        assertEquals(1, r.code());
        assertTrue(r.stderr().contains("compute capability 3.5"), r.stderr());
    }
}
