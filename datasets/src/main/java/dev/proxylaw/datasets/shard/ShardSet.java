package dev.proxylaw.datasets.shard;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.TokenCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The output directory of {@code proxylaw tokenize}, opened for training: the manifest, every shard it
 * lists memory-mapped and checked against it, the train and val shards each read as one stream.
 * Token accounting is exact: each shard's header must match its manifest entry, and the entries must
 * add up to the manifest's totals.
 */
public final class ShardSet {
    private final Path dir;
    private final Manifest manifest;
    private final List<Shard> train;
    private final List<Shard> val;

    private ShardSet(Path dir, Manifest manifest, List<Shard> train, List<Shard> val) {
        this.dir = dir;
        this.manifest = manifest;
        this.train = train;
        this.val = val;
    }

    public static ShardSet open(Path dir) {
        Path mf = dir.resolve(Manifest.FILE);
        String text;
        try {
            text = Files.readString(mf);
        } catch (NoSuchFileException e) {
            throw new DataException("Cannot read shards in " + dir + ": there is no " + Manifest.FILE
                    + " (not a tokenize output, or an interrupted one). Run proxylaw tokenize INPUT --out " + dir + ".");
        } catch (IOException e) {
            throw new DataException("Cannot read " + mf + ": " + e.getMessage() + ".");
        }
        Manifest m = Manifest.parse(text);
        if (m == null) {
            throw new DataException("Cannot read " + mf + ": it is not a proxylaw tokenize manifest. Re-run proxylaw tokenize.");
        }
        List<Shard> train = new ArrayList<>();
        List<Shard> val = new ArrayList<>();
        Manifest.Totals sumTrain = Manifest.Totals.ZERO;
        Manifest.Totals sumVal = Manifest.Totals.ZERO;
        for (Manifest.Entry e : m.shards()) {
            Shard s = Shard.open(dir.resolve(e.file()));
            ShardHeader h = s.header();
            if (!h.tokenizer().equals(m.tokenizer()) || h.vocabSize() != m.vocabSize() || h.eot() != m.eot()
                    || !h.split().equals(e.split()) || h.tokens() != e.tokens() || h.documents() != e.documents()) {
                throw new DataException("Cannot read shard " + s.file() + ": its header (" + h.split() + ", " + h.tokenizer()
                        + ", vocab " + h.vocabSize() + ", " + h.documents() + " documents, " + h.tokens()
                        + " tokens) disagrees with " + mf + ". Re-run proxylaw tokenize.");
            }
            Manifest.Totals t = new Manifest.Totals(e.documents(), e.tokens(), e.bytes());
            if (e.split().equals("train")) {
                train.add(s);
                sumTrain = sumTrain.plus(t);
            } else {
                val.add(s);
                sumVal = sumVal.plus(t);
            }
        }
        if (!sumTrain.equals(m.train()) || !sumVal.equals(m.val())) {
            throw new DataException("Cannot read shards in " + dir + ": the shards add up to " + sumTrain + " / " + sumVal
                    + ", the manifest says " + m.train() + " / " + m.val() + ". Re-run proxylaw tokenize.");
        }
        return new ShardSet(dir, m, List.copyOf(train), List.copyOf(val));
    }

    public Manifest manifest() {
        return manifest;
    }

    public List<Shard> train() {
        return train;
    }

    public List<Shard> val() {
        return val;
    }

    /** The corpus a run trains on: the tokenizer and vocabulary come from the shards. */
    public TokenCorpus corpus() {
        return new TokenCorpus(dir.getFileName() + " (" + manifest.tokenizer() + " shards)", manifest.tokenizer(),
                manifest.vocabSize(), new ConcatSource(train), new ConcatSource(val));
    }
}
