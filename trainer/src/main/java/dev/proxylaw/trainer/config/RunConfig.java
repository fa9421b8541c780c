package dev.proxylaw.trainer.config;

import static dev.proxylaw.trainer.config.ConfigException.orDefault;
import static dev.proxylaw.trainer.config.ConfigException.require;

import dev.proxylaw.trainer.schedule.Schedule;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** One proxy training run, complete: every output row can rebuild its run from this. */
public record RunConfig(String name, Long seed, DataConfig data, ModelConfig model, ParamConfig param,
                        OptimConfig optim, Schedule schedule, TrainConfig train) {
    public RunConfig {
        name = orDefault(name, "run");
        seed = orDefault(seed, 0L);
        data = orDefault(data, DataConfig.markov());
        require(model != null, "Cannot build run: the 'model' section is missing (d_model, n_layers, n_heads, seq_len).");
        param = orDefault(param, ParamConfig.sp());
        optim = orDefault(optim, OptimConfig.defaults());
        schedule = orDefault(schedule, new Schedule.Cosine(0, null, null));
        require(train != null, "Cannot build run: the 'train' section is missing (at least batch_size and steps or tokens).");
        RunChecks.shape(model, train, data);
        RunChecks.schedule(schedule, train.totalSteps(model.seqLen()));
    }

    /** The run id: a hash of the canonical config JSON, so the same config always has the same id. */
    public String id() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(ConfigIo.canonicalJson(this).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long totalSteps() {
        return train.totalSteps(model.seqLen());
    }

    public long tokensPerStep() {
        return (long) train.batchSize() * model.seqLen();
    }

    public Schedule.Horizon horizon() {
        return new Schedule.Horizon(totalSteps(), tokensPerStep(), train.batchSize());
    }

    public RunConfig withOptim(OptimConfig o) {
        return new RunConfig(name, seed, data, model, param, o, schedule, train);
    }

    public RunConfig withSeed(long s) {
        return new RunConfig(name, s, data, model, param, optim, schedule, train);
    }
}
