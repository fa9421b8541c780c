package dev.proxylaw.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.Tokenizer;
import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.datasets.shard.Manifest;
import dev.proxylaw.datasets.shard.ShardWriter;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.RunStatus;
import dev.proxylaw.trainer.metrics.StepMetrics;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** data.source: shards: the model's vocabulary comes from the shard header, batches from the memory map. */
class ShardTrainingTest {
    static final String RUN = """
            seed: 3
            data: {source: shards, path: DIR}
            model: {d_model: 32, n_layers: 1, n_heads: 2, seq_len: 16}
            optim: {lr: 0.003}
            train: {batch_size: 4, steps: 4, eval_batches: 2}
            """;

    /** Two train shards and one val shard of gpt2 tokens, written the way proxylaw tokenize writes them. */
    static Path shards(Path dir) throws IOException {
        Tokenizer tok = Tokenizers.byId("gpt2");
        List<Manifest.Entry> entries = new ArrayList<>();
        Manifest.Totals[] totals = {Manifest.Totals.ZERO, Manifest.Totals.ZERO};
        String[][] docs = {
            {"It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
             "However little known the feelings or views of such a man may be on his first entering a neighbourhood."},
            {"this truth is so well fixed in the minds of the surrounding families, that he is considered the rightful property."},
            {"My dear Mr. Bennet, said his lady to him one day, have you heard that Netherfield Park is let at last?"}};
        String[] names = {"train-00000.arrow", "train-00001.arrow", "val-00000.arrow"};
        for (int i = 0; i < 3; i++) {
            String split = i < 2 ? "train" : "val";
            ShardWriter w = new ShardWriter(tok, split);
            long bytes = 0;
            for (String d : docs[i]) {
                w.add(tok.encode(d));
                bytes += d.length();
            }
            try (FileChannel ch = FileChannel.open(dir.resolve(names[i]), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                w.writeTo(ch);
            }
            entries.add(new Manifest.Entry(names[i], split, w.documents(), w.tokens(), bytes));
            totals[i < 2 ? 0 : 1] = totals[i < 2 ? 0 : 1].plus(new Manifest.Totals(w.documents(), w.tokens(), bytes));
        }
        Manifest m = new Manifest(Manifest.FORMAT, 1, "gpt2", tok.vocabSize(), tok.eot(), "uint16", "text", null, 0.3,
                List.of(new Manifest.Input("pride.txt", 1)), totals[0], totals[1], entries);
        Files.writeString(dir.resolve(Manifest.FILE), m.toJson());
        return dir;
    }

    @Test
    void trainsAFewStepsFromShardsWithTheirTokenizerAndVocab(@TempDir Path dir) throws IOException {
        RunConfig cfg = ConfigIo.parseYaml(RUN.replace("DIR", shards(dir).toString()), "test");
        Trainer t = new Trainer(cfg);
        assertEquals(50257, t.model().config().vocab(), "vocab from the shard header");
        TrainerTestSupport.Outcome o = TrainerTestSupport.train(cfg);
        assertEquals(RunStatus.COMPLETED, o.result().status(), String.valueOf(o.result().error()));
        assertEquals("gpt2", o.result().tokenizer());
        assertEquals(50257, o.result().vocab());
        assertEquals(4L * 4 * 16, o.result().tokens());
        assertTrue(o.steps().get(0).loss() > Math.log(50257) - 1, "starts near uniform over 50257 ids");
        assertTrue(o.result().finalValLoss() > 0);
        // deterministic: the same config again gives the same curve
        double[] again = TrainerTestSupport.train(cfg).steps().stream().mapToDouble(StepMetrics::loss).toArray();
        assertArrayEquals(o.steps().stream().mapToDouble(StepMetrics::loss).toArray(), again, 0.0);
        // the config round-trips without a val_fraction
        assertEquals(cfg.id(), ConfigIo.parseJson(ConfigIo.canonicalJson(cfg)).id());
    }

    @Test
    void badShardDirectoriesAreConfigErrorsWithTheFix(@TempDir Path dir) throws IOException {
        String msg = assertThrows(ConfigException.class, () -> new Trainer(ConfigIo.parseYaml(
                RUN.replace("DIR", dir.resolve("nope").toString()), "test"))).getMessage();
        assertTrue(msg.contains("nope (data.path): it is not a directory"), msg);
        msg = assertThrows(ConfigException.class, () -> new Trainer(ConfigIo.parseYaml(RUN.replace("DIR", dir.toString()), "test")))
                .getMessage();
        assertTrue(msg.contains("there is no manifest.json") && msg.contains("proxylaw tokenize"), msg);
        shards(dir);
        Path shard = dir.resolve("train-00001.arrow");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 40));
        msg = assertThrows(ConfigException.class, () -> new Trainer(ConfigIo.parseYaml(RUN.replace("DIR", dir.toString()), "test")))
                .getMessage();
        assertTrue(msg.startsWith("Cannot read shard " + shard + ": ") && msg.contains("Re-run proxylaw tokenize."), msg);
        msg = assertThrows(ConfigException.class, () -> ConfigIo.parseYaml(
                RUN.replace("path: DIR}", "path: x, val_fraction: 0.1}"), "test")).getMessage();
        assertTrue(msg.contains("Cannot use data.val_fraction with data.source='shards'"), msg);
    }
}
