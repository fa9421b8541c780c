package dev.proxylaw.jobs.sweep;

import java.io.Serializable;

/** What an executor needs to train one run: shipped as plain strings, rebuilt and validated there. */
public record TaskSpec(String runId, String configJson, String label, int attempt) implements Serializable {
}
