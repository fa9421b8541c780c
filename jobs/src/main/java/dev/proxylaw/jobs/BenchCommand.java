package dev.proxylaw.jobs;

import dev.proxylaw.trainer.NativeThreads;
import dev.proxylaw.trainer.config.ModelConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code proxylaw bench trainer}: tokens/s of one training step here and in PyTorch
 * ({@code ../shared/bench/torch_gpt.py}), same shapes, one thread each, run alternately in one
 * invocation so that machine noise hits both. Prints the ratio; asserts nothing.
 */
final class BenchCommand {
    private BenchCommand() {
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        if (argv.length > 1 && argv[1].equals("tokenize")) {
            Args t = new Args("bench tokenize", argv, 2, Set.of("input", "mb", "tokenizers", "rounds"));
            return dev.proxylaw.jobs.tokenize.TokenizeBench.run(
                    java.nio.file.Path.of(t.get("input", "datasets/src/test/resources/corpus/persuasion-excerpt.txt")),
                    t.doubleValue("mb", 16), List.of(t.get("tokenizers", "gpt2,cl100k").split(",")), t.intValue("rounds", 3), out);
        }
        Args a = new Args("bench", argv, 1, Set.of("widths", "pack", "pack-size", "batch", "seq", "layers", "steps", "rounds", "torch-script", "python", "spec", "out",
                "runs", "bootstraps", "runs-smoothed"));
        if (a.positional.size() == 1 && a.positional.get(0).equals("sweep")) {
            return SweepBench.run(a, out);
        }
        if (a.positional.size() == 1 && a.positional.get(0).equals("fit")) {
            return FitBench.run(a, out);
        }
        if (a.positional.size() != 1 || !a.positional.get(0).equals("trainer")) {
            throw new UserError("Usage: proxylaw bench trainer [--widths 32,64,128,256] [--pack 1,4,8,16] [--batch 16] [--seq 128] [--layers 4] [--steps 10] [--rounds 2] "
                    + "[--torch-script ../shared/bench/torch_gpt.py] [--python /usr/bin/python3]\n"
                    + "       proxylaw bench sweep [--spec conf/sweeps/bench32.yaml] [--out out/bench-sweep] [--pack-size 8]\n"
                    + "       proxylaw bench tokenize [--input FILE] [--mb 16] [--tokenizers gpt2,cl100k] [--rounds 3]\n"
                    + "       proxylaw bench fit [--runs 3700] [--steps 1000] [--bootstraps 1000] [--rounds 2] [--runs-smoothed true] "
                    + "[--out out/bench-fit]");
        }
        String script = a.get("torch-script", "../shared/bench/torch_gpt.py");
        String python = a.get("python", "/usr/bin/python3");
        if (!new File(script).isFile()) {
            throw new UserError("Cannot run the PyTorch peer: " + script + " does not exist. Pass --torch-script PATH.");
        }
        int steps = a.intValue("steps", 10);
        int rounds = a.intValue("rounds", 2);
        NativeThreads.set(1);
        List<Integer> packs = new ArrayList<>();
        for (String k : a.get("pack", "1,4,8,16").split(",")) {
            packs.add(Integer.parseInt(k.trim()));
        }
        if (packs.stream().anyMatch(k -> k < 1)) {
            throw new UserError("Cannot bench --pack " + a.get("pack", "") + ": every pack size must be at least 1.");
        }
        int batch = a.intValue("batch", 16);
        int seq = a.intValue("seq", 128);
        int layers = a.intValue("layers", 4);
        out.println("shape: " + layers + " layers, 4 heads, batch " + batch + " x " + seq + " tokens per run, vocab 256, "
                + "float32, one thread each, elementwise kernels " + dev.proxylaw.trainer.model.Fused.mode() + "; best of "
                + rounds + " rounds of " + steps + " timed steps (a pack of K: max(2, " + steps + "/K)) after warm-up; "
                + "PyTorch runs solo");
        out.println("     d    K   proxylaw tok/core-s   GFLOP/s   packed/solo   torch tok/s   proxylaw/torch");
        List<Double> ratios = new ArrayList<>();
        StringBuilder ceilings = new StringBuilder();
        double peak = 0;
        for (String w : a.get("widths", "32,64,128,256").split(",")) {
            int d = Integer.parseInt(w.trim());
            double solo = 0;
            double torch = 0;
            double[] packed = new double[packs.size()];
            for (int r = 0; r < rounds; r++) {
                peak = Math.max(peak, Throughput.sgemmPeakGflops(5));
                solo = Math.max(solo, javaTokensPerSecond(shape(d, layers, seq), batch, steps));
                torch = Math.max(torch, torchTokensPerSecond(python, script, d, layers, batch, seq, steps));
                for (int i = 0; i < packs.size(); i++) {
                    int k = packs.get(i);
                    if (k > 1) {
                        packed[i] = Math.max(packed[i], Throughput.packedTokensPerSecond(shape(d, layers, seq), batch, k, 1,
                                Math.max(2, steps / k)));
                    }
                }
            }
            ratios.add(solo / torch);
            double flops = Throughput.matmulFlopsPerToken(shape(d, layers, seq)) / 1e9;
            out.printf("%6d %4d   %19.0f   %7.1f   %11s   %11.0f   %14.2f%n", d, 1, solo, solo * flops, "1.00", torch, solo / torch);
            for (int i = 0; i < packs.size(); i++) {
                if (packs.get(i) > 1) {
                    out.printf("%6d %4d   %19.0f   %7.1f   %11.2f   %11s   %14.2f%n", d, packs.get(i), packed[i],
                            packed[i] * flops, packed[i] / solo, "", packed[i] / torch);
                }
            }
            ceilings.append(String.format(" d=%d %.1fx", d, peak / (solo * flops)));
        }
        out.printf("geometric mean ratio proxylaw/torch, solo: %.2f%n",
                Math.exp(ratios.stream().mapToDouble(Math::log).average().orElse(Double.NaN)));
        out.printf("GFLOP/s: the matrix products' work per token (forward and backward) times tokens/s; this core's sgemm "
                + "(1024^3, best of the rounds): %.1f GFLOP/s, so no packing can lift a run above peak/solo:%s%n", peak, ceilings);
        return 0;
    }

    static ModelConfig shape(int d, int layers, int seq) {
        return new ModelConfig(256, d, layers, 4, seq, false, false, false, null, null, null);
    }

    static double javaTokensPerSecond(ModelConfig m, int batch, int steps) {
        return Throughput.tokensPerSecond(m, batch, 3, steps);
    }

    static double torchTokensPerSecond(String python, String script, int d, int layers, int batch, int seq, int steps)
            throws Exception {
        ProcessBuilder pb = new ProcessBuilder(python, script, "--d", String.valueOf(d), "--layers", String.valueOf(layers),
                "--heads", "4", "--batch", String.valueOf(batch), "--seq", String.valueOf(seq), "--vocab", "256", "--threads", "1", "--steps", String.valueOf(steps));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
            }
        }
        int rc = p.waitFor();
        Matcher mt = Pattern.compile("\"tokens_per_s\": ([0-9.]+)").matcher(all);
        if (rc != 0 || !mt.find()) {
            throw new UserError("Cannot run the PyTorch peer (" + python + " " + script + ", exit " + rc + "): " + all.toString().strip()
                    + "\nInstall it with: apt-get install -y python3-torch libopenblas0-pthread");
        }
        return Double.parseDouble(mt.group(1));
    }
}
