package dev.proxylaw.jobs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The readers' contract and the sink's schema cannot drift apart. */
class RunsContractTest {
    @Test
    void everyColumnTheFitReadsIsOneTheSinkWrites() {
        for (String c : RunsContract.FIT_COLUMNS) {
            assertTrue(Schemas.RUNS.containsField(c), "runs/ has no column " + c);
        }
        assertEquals("status IN ('COMPLETED', 'DIVERGED')", RunsContract.TERMINAL);
    }
}
