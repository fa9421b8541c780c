package dev.proxylaw.datasets;

import java.util.Arrays;

/**
 * A tokenized corpus: a training and a held-out validation stream, with the tokenizer that made them.
 *
 * <p>For in-memory corpora ({@link #split}) the split is by position: the last {@code valFraction}
 * of the tokens are validation, so no training window ever overlaps a validation window. Sharded
 * corpora are split by document when they are tokenized (see {@code proxylaw tokenize}).
 */
public final class TokenCorpus {
    private final String id;
    private final String tokenizerId;
    private final int vocabSize;
    private final TokenSource train;
    private final TokenSource val;

    public TokenCorpus(String id, String tokenizerId, int vocabSize, TokenSource train, TokenSource val) {
        this.id = id;
        this.tokenizerId = tokenizerId;
        this.vocabSize = vocabSize;
        this.train = train;
        this.val = val;
    }

    public static TokenCorpus split(String id, String tokenizerId, int vocabSize, int[] tokens, double valFraction) {
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException(
                    "Cannot split corpus " + id + ": val_fraction=" + valFraction + " must lie in (0, 1).");
        }
        int nVal = (int) Math.round(tokens.length * valFraction);
        int nTrain = tokens.length - nVal;
        return new TokenCorpus(id, tokenizerId, vocabSize, TokenSource.of(Arrays.copyOfRange(tokens, 0, nTrain)),
                TokenSource.of(Arrays.copyOfRange(tokens, nTrain, tokens.length)));
    }

    public String id() {
        return id;
    }

    public String tokenizerId() {
        return tokenizerId;
    }

    public int vocabSize() {
        return vocabSize;
    }

    public TokenSource train() {
        return train;
    }

    public TokenSource val() {
        return val;
    }
}
