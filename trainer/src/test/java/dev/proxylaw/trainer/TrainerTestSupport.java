package dev.proxylaw.trainer;

import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.StepMetrics;
import java.util.ArrayList;
import java.util.List;

/** Runs a config and keeps every logged step. */
final class TrainerTestSupport {
    record Outcome(RunResult result, List<StepMetrics> steps) {
    }

    private TrainerTestSupport() {
    }

    static RunConfig yaml(String text) {
        return ConfigIo.parseYaml(text, "test config");
    }

    static Outcome train(RunConfig cfg) {
        List<StepMetrics> steps = new ArrayList<>();
        RunResult r = new Trainer(cfg).run(steps::add);
        return new Outcome(r, steps);
    }
}
