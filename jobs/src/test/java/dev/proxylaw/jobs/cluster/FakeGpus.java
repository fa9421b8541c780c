package dev.proxylaw.jobs.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** GPUs for machines without any: a stand-in nvidia-smi (test resource gpu/nvidia-smi) reading FAKE_GPUS. */
final class FakeGpus {
    /** The project's discovery script, the one the GPU property files name. */
    static final Path DISCOVERY = Path.of("../conf/spark/gpu-discovery.sh").toAbsolutePath().normalize();
    /** Two GPUs the CUDA build runs, in nvidia-smi's "index, uuid, pci.bus_id, compute_cap, name" lines. */
    static final String AMPERE_PAIR = "0, GPU-aaaa, 00000000:17:00.0, 8.0, NVIDIA A100-SXM4-40GB\n"
            + "1, GPU-bbbb, 00000000:65:00.0, 8.6, NVIDIA A10\n";

    private FakeGpus() {
    }

    /** Puts the stand-in nvidia-smi into {@code bin} and returns {@code bin}, for the front of PATH. */
    static Path install(Path bin) throws IOException {
        Files.createDirectories(bin);
        Path smi = bin.resolve("nvidia-smi");
        try (InputStream in = FakeGpus.class.getResourceAsStream("/gpu/nvidia-smi")) {
            Files.copy(in, smi, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }
}
