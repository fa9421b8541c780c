package dev.proxylaw.jobs.tokenize;

import dev.proxylaw.datasets.shard.Manifest;
import java.io.Serializable;

/**
 * What one task made: its shards under the job's temporary directory (null when a split got no
 * document) and their totals; or the user error that stopped it (bad data is not retried: it would
 * fail again), which the driver reports after removing every temporary file.
 */
record UnitResult(int unit, String trainFile, Manifest.Totals train, String valFile, Manifest.Totals val,
                  String error) implements Serializable {
    static UnitResult failed(int unit, String error) {
        return new UnitResult(unit, null, Manifest.Totals.ZERO, null, Manifest.Totals.ZERO, error);
    }
}
