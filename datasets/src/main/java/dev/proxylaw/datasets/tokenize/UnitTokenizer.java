package dev.proxylaw.datasets.tokenize;

import dev.proxylaw.datasets.Tokenizer;
import dev.proxylaw.datasets.shard.Manifest;
import dev.proxylaw.datasets.shard.ShardWriter;

/**
 * The tokenization core of one unit, plain Java: documents in, split by content hash, tokenized, and
 * appended in input order to one train and one val shard. Deterministic: the same documents in the
 * same order give the same shards, byte for byte. One per thread.
 */
public final class UnitTokenizer implements DocumentSink {
    private final Tokenizer tokenizer;
    private final ValSplit split;
    private final ShardWriter train;
    private final ShardWriter val;
    private long trainBytes;
    private long valBytes;

    public UnitTokenizer(Tokenizer tokenizer, double valFraction) {
        this.tokenizer = tokenizer;
        this.split = new ValSplit(valFraction);
        this.train = new ShardWriter(tokenizer, "train");
        this.val = new ShardWriter(tokenizer, "val");
    }

    @Override
    public void accept(String text, byte[] utf8) {
        if (utf8.length == 0) {
            return;   // an empty record has nothing to learn from; an end-of-text alone would only add noise
        }
        int[] tokens = tokenizer.encode(text);
        if (split.isVal(utf8)) {
            val.add(tokens);
            valBytes += utf8.length;
        } else {
            train.add(tokens);
            trainBytes += utf8.length;
        }
    }

    public ShardWriter train() {
        return train;
    }

    public ShardWriter val() {
        return val;
    }

    public Manifest.Totals trainTotals() {
        return new Manifest.Totals(train.documents(), train.tokens(), trainBytes);
    }

    public Manifest.Totals valTotals() {
        return new Manifest.Totals(val.documents(), val.tokens(), valBytes);
    }
}
