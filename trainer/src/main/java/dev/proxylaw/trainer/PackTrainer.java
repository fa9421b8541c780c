package dev.proxylaw.trainer;

import dev.proxylaw.datasets.Batch;
import dev.proxylaw.datasets.BatchSampler;
import dev.proxylaw.datasets.TokenCorpus;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.DataConfig;
import dev.proxylaw.trainer.config.ModelConfig;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.model.Gpt;
import dev.proxylaw.trainer.model.PackedGpt;
import dev.proxylaw.trainer.optim.AdamW;
import dev.proxylaw.trainer.optim.PackedAdamW;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains K runs of one shape together: one {@link PackedGpt} pass per step for all of them, each member
 * with its own data order, init, schedule, optimizer settings and step count. The loop is
 * {@link Trainer}'s, member by member through {@link RunTrack}, so each member writes the rows its solo
 * run would. A member that diverges or reaches its last step is finished (its sink gets its result at
 * once) and cut out of the pack, so it stops costing compute; an error fails every member still going.
 */
public final class PackTrainer {
    private final List<Trainer> solo = new ArrayList<>();
    private RuntimeException[] commitErrors;

    /** Builds every member as its solo run would (same init, bit for bit); they must share a shape. */
    public PackTrainer(List<RunConfig> cfgs) {
        if (cfgs.isEmpty()) {
            throw new IllegalArgumentException("Cannot train an empty pack.");
        }
        Map<DataConfig, TokenCorpus> corpora = new HashMap<>();
        for (RunConfig c : cfgs) {
            TokenCorpus corpus = corpora.computeIfAbsent(c.data(), Corpora::load);
            solo.add(new Trainer(c, corpus));
        }
        Trainer first = solo.get(0);
        for (Trainer t : solo) {
            String why = mismatch(first, t);
            if (why != null) {
                throw new ConfigException("Cannot pack run " + t.config().id() + " with run " + first.config().id()
                        + ": " + why + " differs. Only runs of one shape train together; give them separate packs.");
            }
        }
    }

    /**
     * What runs must share to train in one pack, as a key the planner can group by without loading data:
     * every tensor shape (width, depth, heads, sequence length, vocabulary, batch), the parameters that
     * exist (tied head, biases, qk-norm), LayerNorm's epsilon and the dtype. The vocabulary is the
     * tokenizer's unless set, so the data's tokenizer stands for it.
     */
    public static String shapeKey(RunConfig c) {
        ModelConfig m = c.model();
        DataConfig d = c.data();
        String vocab = m.vocab() != null ? "v" + m.vocab()
                : d.source().equals("shards") ? "shards:" + d.path() : "bytes";
        return String.join("|", vocab, "d" + m.dModel(), "L" + m.nLayers(), "H" + m.nHeads(), "T" + m.seqLen(),
                "B" + c.train().batchSize(), "tied" + m.tiedEmbeddings(), "bias" + m.bias(), "qk" + m.qkLayernorm(),
                "ln" + m.lnEps(), c.train().dtype());
    }

    private static String mismatch(Trainer a, Trainer b) {
        ModelConfig x = a.model().config();
        ModelConfig y = b.model().config();
        if (!x.vocab().equals(y.vocab())) {
            return "the vocabulary (" + x.vocab() + " vs " + y.vocab() + ")";
        }
        if (!shapeKey(a.config()).replaceFirst("^[^|]*", "").equals(shapeKey(b.config()).replaceFirst("^[^|]*", ""))) {
            return "the shape (" + shapeKey(a.config()) + " vs " + shapeKey(b.config()) + ")";
        }
        return null;
    }

    public int size() {
        return solo.size();
    }

    /** Why member i's sink could not take its result in the last {@link #run}, or null when it did. */
    public RuntimeException commitError(int i) {
        return commitErrors == null ? null : commitErrors[i];
    }

    /** Trains every member; {@code sinks.get(i)} receives member i's rows. Results in member order. */
    public List<RunResult> run(List<MetricsSink> sinks, double timeoutSeconds) {
        int n = solo.size();
        List<Gpt> models = new ArrayList<>();
        List<Double> zLoss = new ArrayList<>();
        List<PackedAdamW.Member> optim = new ArrayList<>();
        for (Trainer t : solo) {
            models.add(t.model());
            var o = t.config().optim();
            zLoss.add(o.zLoss());
            optim.add(new PackedAdamW.Member(t.model().parameterization(), o.beta1(), o.beta2(),
                    o.wdStyle().equals("independent")));
        }
        PackedGpt model = new PackedGpt(models, zLoss);
        PackedAdamW opt = new PackedAdamW(model, optim);
        long start = System.nanoTime();
        List<Member> active = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Trainer t = solo.get(i);
            BatchSampler sampler = new BatchSampler(t.corpus(), t.config().train().batchSize(),
                    t.model().config().seqLen(), t.config().seed());
            active.add(new Member(i, t, sampler, new RunTrack(t.config(), sinks.get(i), start)));
        }
        RunResult[] results = new RunResult[n];
        commitErrors = new RuntimeException[n];
        finishEnded(active, results, model, opt);   // a run of zero steps ends before the first
        while (!active.isEmpty()) {
            try {
                step(model, opt, active, start, timeoutSeconds);
            } catch (RuntimeException | OutOfMemoryError e) {
                for (Member m : active) {
                    if (!m.track.ended()) {
                        m.track.fail(e);
                    }
                }
            }
            finishEnded(active, results, model, opt);
        }
        return List.of(results);
    }

    /** One optimizer step of every member still going: the solo loop's body, member by member. */
    private static void step(PackedGpt model, PackedAdamW opt, List<Member> active, long start, double timeoutSeconds) {
        int k = active.size();
        double[] lr = new double[k];
        double[] peak = new double[k];
        double[] clip = new double[k];
        Batch[] batches = new Batch[k];
        for (int m = 0; m < k; m++) {
            RunTrack r = active.get(m).track;
            lr[m] = r.lr();
            peak[m] = r.peak();
            clip[m] = r.clip();
            batches[m] = active.get(m).sampler.train(r.step());
        }
        Gpt.Diagnostics[] d = model.forwardBackward(batches);
        AdamW.StepStats[] st = opt.step(lr, peak, clip);
        boolean[] wants = new boolean[k];
        boolean anyEval = false;
        for (int m = 0; m < k; m++) {
            // a member whose loss is not finite is not stepped in its solo run: its stats are void
            active.get(m).track.observe(d[m].loss(), Double.isFinite(d[m].loss()) ? st[m] : null);
            wants[m] = active.get(m).track.wantsEval();
            anyEval |= wants[m];
        }
        double[] val = anyEval ? validationLoss(model, active) : null;
        for (int m = 0; m < k; m++) {
            RunTrack r = active.get(m).track;
            r.log(d[m], Double.isFinite(d[m].loss()) ? st[m] : null, wants[m] ? val[m] : null);
            r.advance();
            if (!r.ended() && timeoutSeconds > 0 && (System.nanoTime() - start) / 1e9 > timeoutSeconds) {
                r.timeout(timeoutSeconds);
            }
        }
    }

    /** Hands each ended member's result to its sink and cuts it out of the pack. */
    private void finishEnded(List<Member> active, RunResult[] results, PackedGpt model, PackedAdamW opt) {
        List<Integer> keep = new ArrayList<>();
        List<Member> still = new ArrayList<>();
        for (int m = 0; m < active.size(); m++) {
            Member a = active.get(m);
            if (a.track.ended()) {
                results[a.index] = a.track.result(a.trainer.stats(), a.trainer.model().parameterization(),
                        a.trainer.corpus().tokenizerId(), a.trainer.model().config().vocab(), NativeThreads.device(),
                        a.sampler.trainTokens());
                try {
                    a.track.commit(results[a.index]);
                } catch (RuntimeException e) {
                    // one member's rows that cannot be written fail that member only: the others go on
                    commitErrors[a.index] = e;
                }
            } else {
                keep.add(m);
                still.add(a);
            }
        }
        if (still.size() < active.size() && !still.isEmpty()) {
            int[] idx = keep.stream().mapToInt(Integer::intValue).toArray();
            model.retain(idx);
            opt.retain(idx, model);
        }
        active.clear();
        active.addAll(still);
    }

    /** Each member's mean validation CE over its own fixed batches, evaluated as a pack. */
    private static double[] validationLoss(PackedGpt model, List<Member> active) {
        int k = active.size();
        int most = 0;
        for (Member m : active) {
            most = Math.max(most, m.evalBatches());
        }
        double[] sum = new double[k];
        for (int j = 0; j < most; j++) {
            Batch[] batches = new Batch[k];
            for (int m = 0; m < k; m++) {
                int count = active.get(m).evalBatches();
                // a member with fewer evaluation batches repeats its last one; that loss is not counted
                batches[m] = active.get(m).sampler.validation(Math.min(j, count - 1), count);
            }
            Gpt.Diagnostics[] d = model.evaluate(batches);
            for (int m = 0; m < k; m++) {
                if (j < active.get(m).evalBatches()) {
                    sum[m] += d[m].ce();
                }
            }
        }
        for (int m = 0; m < k; m++) {
            sum[m] /= active.get(m).evalBatches();
        }
        return sum;
    }

    private record Member(int index, Trainer trainer, BatchSampler sampler, RunTrack track) {
        int evalBatches() {
            return trainer.config().train().evalBatches();
        }
    }
}
