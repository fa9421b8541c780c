package dev.proxylaw.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.trainer.schedule.DecayShape;
import dev.proxylaw.trainer.schedule.Schedule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigIoTest {
    static final String MIN = """
            model: {d_model: 32, n_layers: 2, n_heads: 4, seq_len: 16}
            train: {batch_size: 4, steps: 10}
            """;

    private static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigIo.parseYaml(yaml, "test.yaml")).getMessage();
    }

    @Test
    void fillsDefaultsAndRoundTripsThroughCanonicalJson() {
        RunConfig c = ConfigIo.parseYaml(MIN, "test.yaml");
        assertEquals(3e-3, c.optim().lr());
        assertEquals("sp", c.param().type());
        assertEquals("markov", c.data().source());
        RunConfig back = ConfigIo.parseJson(ConfigIo.canonicalJson(c));
        assertEquals(c, back);
        assertEquals(c.id(), back.id());
        assertNotEquals(c.id(), c.withSeed(7).id());
    }

    @Test
    void readsEverySchedule() {
        RunConfig wsd = ConfigIo.parseYaml(MIN + "schedule: {type: wsd, warmup_steps: 2, decay_fraction: 0.2, "
                + "decay_shape: 1-sqrt, min_lr: 0.0}\n", "t");
        assertEquals(new Schedule.Wsd(2, 0.2, DecayShape.ONE_MINUS_SQRT, 0.0), wsd.schedule());
        RunConfig power = ConfigIo.parseYaml(MIN + "schedule: {type: power, a: 4, b: -0.51, warmup_steps: 0, "
                + "decay_fraction: 0.1}\n", "t");
        assertEquals(new Schedule.Power(4, -0.51, 0, 0.1), power.schedule());
        assertEquals("power", power.schedule().typeName());
    }

    @Test
    void unknownKeyIsNamedWithTheKnownOnes() {
        String msg = error(MIN + "optim: {lr: 0.01, learning_rate: 0.1}\n");
        assertTrue(msg.contains("unknown key 'optim.learning_rate'"), msg);
        assertTrue(msg.contains("weight_decay"), msg);
    }

    @Test
    void widthNotDivisibleByHeadsSaysHowToFix() {
        String msg = error("model: {d_model: 100, n_heads: 12}\ntrain: {steps: 1}\n");
        assertTrue(msg.contains("d_model=100 is not divisible by n_heads=12"), msg);
        assertTrue(msg.contains("Choose d_model a multiple of n_heads"), msg);
    }

    @Test
    void negativeLearningRateIsRefused() {
        String msg = error(MIN + "optim: {lr: -0.1}\n");
        assertTrue(msg.contains("optim.lr=-0.1"), msg);
    }

    @Test
    void unknownScheduleTypeListsTheTypes() {
        String msg = error(MIN + "schedule: {type: linear}\n");
        assertTrue(msg.contains("unknown type 'linear'") && msg.contains("wsd"), msg);
    }

    @Test
    void wrongValueTypeIsNamed() {
        String msg = error(MIN.replace("n_layers: 2", "n_layers: two"));
        assertTrue(msg.contains("model.n_layers"), msg);
        // a required schedule constant left out is missing, not of the wrong type
        for (String sched : new String[] {"{type: wsd, warmup_steps: 2, decay_fraction: 0.1}",
            "{type: power, warmup_steps: 2, min_lr: 0.0}", "{type: constant}"}) {
            String m = error(MIN + "schedule: " + sched + "\n");
            assertTrue(m.contains("is missing") && m.contains("'schedule."), m);
        }
    }

    @Test
    void missingSectionsAndFilesAreNamed() {
        assertTrue(error("train: {steps: 1}\n").contains("'model' section is missing"));
        assertTrue(error(MIN.replace("steps: 10", "log_every: 2")).contains("train.steps"));
        assertTrue(error("").contains("empty"));
        String msg = assertThrows(ConfigException.class, () -> ConfigIo.load(Path.of("no/such/run.yaml"))).getMessage();
        assertTrue(msg.contains("no/such/run.yaml") && msg.contains("does not exist"), msg);
    }

    @Test
    void tokensRoundUpToWholeSteps() {
        RunConfig c = ConfigIo.parseYaml(MIN.replace("steps: 10", "tokens: 100"), "t");
        assertEquals(2, c.totalSteps());   // 4 x 16 = 64 tokens per step
    }

    @Test
    void aKeyWrittenTwiceIsNamedWithItsLine() {
        String msg = error(MIN.replace("steps: 10", "steps: 10, steps: 20"));
        assertTrue(msg.contains("key 'steps' is given twice at line"), msg);
    }

    @Test
    void aFileThatIsNotUtf8TextIsNamedAsSuch() throws Exception {
        Path bin = java.nio.file.Files.createTempFile("run", ".yaml");
        java.nio.file.Files.write(bin, new byte[] {'m', 'o', 'd', (byte) 0xff, (byte) 0xfe, 0, 1, 2});
        String msg = assertThrows(ConfigException.class, () -> ConfigIo.load(bin)).getMessage();
        assertTrue(msg.contains("is not UTF-8 text"), msg);
        java.nio.file.Files.delete(bin);
    }

    @Test
    void shapesThatOverflowAnArrayAreRejectedWithTheFix() {
        String msg = error(MIN.replace("d_model: 32", "d_model: 100000000"));
        assertTrue(msg.contains("more than one array holds") && msg.contains("Reduce d_model"), msg);
        msg = error(MIN.replace("seq_len: 16", "seq_len: 2000000000"));
        assertTrue(msg.contains("Reduce seq_len"), msg);
    }

    @Test
    void schedulesThatCannotDoWhatTheySayAreRejected() {
        String msg = error(MIN.replace("train: {", "schedule: {type: cosine, warmup_steps: 5000}\ntrain: {"));
        assertTrue(msg.contains("warmup_steps=5000 is longer than the run's 10 steps"), msg);
        msg = error(MIN.replace("train: {", "schedule: {type: wsd, warmup_steps: 0, decay_fraction: 0.01, min_lr: 0}\ntrain: {"));
        assertTrue(msg.contains("the decay never starts"), msg);
        msg = error(MIN.replace("train: {", "schedule: {type: wsd, warmup_steps: 8, decay_fraction: 0.5, min_lr: 0}\ntrain: {"));
        assertTrue(msg.contains("starts before the 8 warmup steps end"), msg);
    }

    @Test
    void theMemoryEstimateNamesTheBytesAndTheFix() {
        RunConfig c = ConfigIo.parseYaml(MIN, "t");
        ConfigException e = assertThrows(ConfigException.class, () -> RunChecks.fits(c, "run t", 1000, "a task", "raise it"));
        assertTrue(e.getMessage().contains("needs an estimated") && e.getMessage().contains("a task has 1000.0 B"), e.getMessage());
        RunChecks.fits(c, "run t", 1e9, "a task", "raise it");
    }
}
