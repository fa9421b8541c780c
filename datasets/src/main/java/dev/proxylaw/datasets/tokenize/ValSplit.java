package dev.proxylaw.datasets.tokenize;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The train/validation split by document content: a document is validation when the first 8 bytes of
 * SHA-256 of its UTF-8 text, read as an unsigned big-endian integer, are below floor(fraction * 2^64).
 * It depends on nothing but the text, so it is stable across runs, machines, input order and
 * partitioning, and duplicated documents always land in the same split (no train/val leak). In Python:
 * {@code int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "big") < int(fraction * 2**64)}.
 */
public final class ValSplit {
    private final long threshold;   // unsigned
    private final MessageDigest sha;

    public ValSplit(double fraction) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("Cannot split by document: val fraction " + fraction + " must lie in (0, 1).");
        }
        this.threshold = new BigDecimal(fraction).multiply(new BigDecimal(BigDecimal.valueOf(2).pow(64).toBigInteger()))
                .toBigInteger().longValue();
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Not thread-safe: one per thread. */
    public boolean isVal(byte[] utf8) {
        byte[] d = sha.digest(utf8);
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return Long.compareUnsigned(h, threshold) < 0;
    }
}
