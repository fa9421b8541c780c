package dev.proxylaw.datasets;

import java.util.Arrays;

/**
 * A tokenized corpus split into a training and a held-out validation stream.
 *
 * <p>The split is by position: the last {@code valFraction} of the tokens are validation, so no
 * training window ever overlaps a validation window.
 */
public final class TokenCorpus {
    private final String id;
    private final String tokenizerId;
    private final int vocabSize;
    private final int[] train;
    private final int[] val;

    public TokenCorpus(String id, String tokenizerId, int vocabSize, int[] train, int[] val) {
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
        return new TokenCorpus(id, tokenizerId, vocabSize,
                Arrays.copyOfRange(tokens, 0, nTrain), Arrays.copyOfRange(tokens, nTrain, tokens.length));
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

    public int[] train() {
        return train;
    }

    public int[] val() {
        return val;
    }
}
