package dev.proxylaw.jobs.tokenize;

import com.knuddels.jtokkit.api.Encoding;
import dev.proxylaw.datasets.BpeTokenizer;
import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.datasets.tokenize.TextDocuments;
import dev.proxylaw.datasets.tokenize.Unit;
import dev.proxylaw.jobs.UserError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code proxylaw bench tokenize}: bytes/s of one Spark task's whole work (read the file, cut paragraphs,
 * check UTF-8, hash for the split, encode, write the Arrow shards) on one thread, against jtokkit's own
 * encode loop over the same paragraphs already in memory, alternately in one invocation. The ratio is
 * the share of a core that tokenization itself gets; the rest is our overhead. Both wall-clock and
 * thread CPU time are measured: on a shared machine the CPU-time ratio is the steadier one.
 */
public final class TokenizeBench {
    private TokenizeBench() {
    }

    /**
     * What the format costs the trainer: file size against the bare tokens, time to open (footer,
     * schema, buffer table, map), and batches from the memory map against the same tokens in an int[].
     */
    private static void readBack(UnitResult res, String id, PrintStream out) throws IOException {
        Path file = Path.of(res.trainFile());
        long t0 = System.nanoTime();
        dev.proxylaw.datasets.shard.Shard shard = dev.proxylaw.datasets.shard.Shard.open(file);
        double openMs = (System.nanoTime() - t0) / 1e6;
        long bare = shard.size() * shard.header().dtype().width();
        int[] heap = new int[(int) shard.size()];
        shard.read(0, heap, 0, heap.length);
        dev.proxylaw.datasets.TokenSource none = dev.proxylaw.datasets.TokenSource.of(new int[1024]);
        double[] best = new double[2];
        for (int round = 0; round < 4; round++) {
            for (int k = 0; k < 2; k++) {
                dev.proxylaw.datasets.TokenCorpus c = new dev.proxylaw.datasets.TokenCorpus("bench", id, 2,
                        k == 0 ? new dev.proxylaw.datasets.shard.ConcatSource(List.of(shard))
                                : dev.proxylaw.datasets.TokenSource.of(heap), none);
                dev.proxylaw.datasets.BatchSampler s = new dev.proxylaw.datasets.BatchSampler(c, 16, 128, 0);
                long t1 = System.nanoTime();
                int steps = 2000;
                for (int i = 0; i < steps; i++) {
                    s.train(i);
                }
                best[k] = Math.max(best[k], steps / ((System.nanoTime() - t1) / 1e9));
            }
        }
        out.printf("    train shard: %,d bytes for %,d tokens (+%.2f%% over bare %s), opened in %.1f ms; "
                        + "batches of 16x128/s: %,.0f memory-mapped, %,.0f from an int[]%n", java.nio.file.Files.size(file),
                shard.size(), 100.0 * (java.nio.file.Files.size(file) - bare) / bare, shard.header().dtype().id(), openMs,
                best[0], best[1]);
    }

    public static int run(Path input, double mb, List<String> tokenizers, int rounds, PrintStream out) throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new UserError("Cannot benchmark: " + input + " does not exist. Pass --input FILE (UTF-8 text).");
        }
        byte[] text = Files.readAllBytes(input);
        Path tmp = Files.createTempDirectory("proxylaw-bench-tokenize");
        try {
            Path file = tmp.resolve("corpus.txt");
            long target = (long) (mb * (1 << 20));
            try (var o = Files.newOutputStream(file)) {
                for (long n = 0; n < target; n += text.length) {
                    o.write(text);
                }
            }
            byte[] all = Files.readAllBytes(file);
            List<String> docs = new ArrayList<>();
            TextDocuments.read(new ByteArrayInputStream(all), file.toString(), 0, all.length, (t, b) -> docs.add(t));
            out.printf("input: %s repeated to %,d bytes, %,d paragraph documents; one thread; best of %d rounds after a warm-up%n",
                    input, all.length, docs.size(), rounds);
            out.println("  tokenizer   jtokkit MB/s   proxylaw MB/s   tokens/s (proxylaw)   ratio (wall)   ratio (CPU)");
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            for (String id : tokenizers) {
                if (!(Tokenizers.byId(id) instanceof BpeTokenizer bpe)) {
                    throw new UserError("Cannot benchmark tokenizer " + id + " against jtokkit: it is not a BPE tokenizer. "
                            + "Use gpt2 or cl100k.");
                }
                Encoding enc = bpe.encoding();
                TokenizeOptions o = new TokenizeOptions(List.of(file.toString()), tmp.toString(), "text", null, id, 0.01,
                        TokenizeOptions.MAX_SHARD_BYTES);
                Unit unit = new Unit(0, List.of(new Unit.Segment(file.toString(), 0, all.length)));
                double ref = 0;
                double ours = 0;
                double refCpu = 0;
                double oursCpu = 0;
                long tokens = 0;
                UnitResult last = null;
                for (int r = 0; r <= rounds; r++) {
                    long c0 = cpu.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    long n = 0;
                    for (String d : docs) {
                        n += enc.encodeOrdinary(d).size();
                    }
                    double refSec = (System.nanoTime() - t0) / 1e9;
                    double refCpuSec = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
                    Path shards = Files.createDirectory(tmp.resolve("shards-" + id + "-" + r));
                    long c1 = cpu.getCurrentThreadCpuTime();
                    long t1 = System.nanoTime();
                    UnitResult res = new UnitTask(o, shards.toString(), Map.of()).call(unit);
                    double ourSec = (System.nanoTime() - t1) / 1e9;
                    double ourCpuSec = (cpu.getCurrentThreadCpuTime() - c1) / 1e9;
                    if (res.error() != null) {
                        throw new UserError(res.error());
                    }
                    tokens = res.train().tokens() + res.val().tokens();
                    last = res;
                    if (tokens != n + res.train().documents() + res.val().documents()) {
                        throw new IllegalStateException("token counts differ: " + tokens + " vs " + n + " + end-of-text");
                    }
                    if (r > 0) {   // round 0 warms the JIT up
                        ref = Math.max(ref, all.length / refSec);
                        ours = Math.max(ours, all.length / ourSec);
                        refCpu = Math.max(refCpu, all.length / refCpuSec);
                        oursCpu = Math.max(oursCpu, all.length / ourCpuSec);
                    }
                }
                out.printf("  %-9s   %12.2f   %13.2f   %19s   %12.2f   %11.2f%n", id, ref / 1e6, ours / 1e6,
                        String.format("%,.0f", tokens * ours / all.length), ours / ref, oursCpu / refCpu);
                readBack(last, id, out);
            }
            return 0;
        } finally {
            try (Stream<Path> w = Files.walk(tmp)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
