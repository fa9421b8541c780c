package dev.proxylaw.jobs.sweep;

import dev.proxylaw.trainer.config.RunConfig;

/** One point of a sweep: its id (hash of the config), the config, and the axis values that made it. */
public record PlannedRun(int index, String id, RunConfig config, String label) {
}
