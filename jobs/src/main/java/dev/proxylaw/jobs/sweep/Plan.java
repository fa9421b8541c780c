package dev.proxylaw.jobs.sweep;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** The expanded, validated runs of a sweep. Its hash identifies the set of runs, not the spec's formatting. */
public record Plan(String sweep, List<PlannedRun> runs) {

    public String hash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(sweep.getBytes(StandardCharsets.UTF_8));
            runs.stream().map(PlannedRun::id).sorted().forEach(id -> md.update(id.getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long totalTokens() {
        return runs.stream().mapToLong(r -> r.config().totalSteps() * r.config().tokensPerStep()).sum();
    }
}
