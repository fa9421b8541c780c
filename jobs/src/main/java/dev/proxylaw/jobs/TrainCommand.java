package dev.proxylaw.jobs;

import dev.proxylaw.jobs.io.Ledger;
import dev.proxylaw.jobs.io.ParquetRunSink;
import dev.proxylaw.jobs.io.TextFiles;
import dev.proxylaw.trainer.NativeThreads;
import dev.proxylaw.trainer.Trainer;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.ConfigIo;
import dev.proxylaw.trainer.config.RunChecks;
import dev.proxylaw.trainer.config.RunConfig;
import dev.proxylaw.trainer.metrics.MetricsSink;
import dev.proxylaw.trainer.metrics.RunResult;
import dev.proxylaw.trainer.metrics.RunStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** {@code proxylaw train RUN.yaml --out DIR}: one run, no Spark, Parquet out. */
final class TrainCommand {
    private TrainCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Args a = new Args("train", argv, 1, Set.of("out", "threads"));
        if (a.positional.size() != 1) {
            throw new UserError("Usage: proxylaw train RUN.yaml --out DIR [--threads N]");
        }
        String outDir = a.get("out", null);
        if (outDir == null) {
            throw new UserError("Cannot train: --out DIR is missing. Name a directory (any Hadoop path) for runs/ and steps/.");
        }
        NativeThreads.set(a.intValue("threads", 1));
        RunConfig cfg = load(a.positional.get(0));
        // ND4J's off-heap limit defaults to the heap's: the heap figure is the tensors' budget too
        RunChecks.fits(cfg, "run config " + a.positional.get(0), Runtime.getRuntime().maxMemory(), "this JVM",
                "give it more memory (PROXYLAW_JAVA_OPTS=-Xmx...)");
        Trainer trainer = new Trainer(cfg);   // validates the model and the data before anything is written
        org.apache.hadoop.fs.Path dir = checkWritable(outDir);
        Ledger ledger = Ledger.repair(dir, hadoopConf(), out);
        if (ledger.terminal().contains(cfg.id())) {
            out.println("run " + cfg.id() + " (" + cfg.name() + ") is already in " + dir + ": "
                    + ParquetRunSink.runsFile(dir, cfg.id()) + ". Nothing to do.");
            return 0;
        }
        ParquetRunSink parquet = new ParquetRunSink(dir, hadoopConf(), cfg, cfg.name(), ledger.attempts(cfg.id()) + 1);
        out.printf("run %s (%s): %,d params (N=%,d), %,d steps x %,d tokens%n", cfg.id(), cfg.name(),
                trainer.stats().totalParams(), trainer.stats().nStepLaw(), cfg.totalSteps(), cfg.tokensPerStep());
        RunResult r = trainer.run(MetricsSink.tee(parquet, new ConsoleProgress(out, cfg.totalSteps(), 2.0, "")));
        ParquetRunSink.tidy(dir, hadoopConf());
        out.println("wrote " + parquet.runsFile() + " and " + parquet.stepsFile());
        return r.status() == RunStatus.FAILED ? 1 : 0;
    }

    /** A run config from any Hadoop path. */
    static RunConfig load(String file) {
        try {
            return ConfigIo.parseYaml(TextFiles.read(file, hadoopConf()), file);
        } catch (java.io.FileNotFoundException e) {
            throw new ConfigException("Cannot load run config " + file + ": the file does not exist. Check the path.");
        } catch (IOException e) {
            throw new ConfigException("Cannot load run config " + file + ": " + e.getMessage() + ".");
        }
    }

    static Configuration hadoopConf() {
        return new Configuration();
    }

    /** Creates the output directory, or fails with exit code 2 before any training. */
    static org.apache.hadoop.fs.Path checkWritable(String outDir) {
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(outDir);
        try {
            FileSystem fs = dir.getFileSystem(hadoopConf());
            if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
                throw new UserError("Cannot write to --out " + outDir + ": it is a file. Name a directory.");
            }
            if (!fs.mkdirs(dir)) {
                throw new UserError("Cannot write to --out " + outDir + ": the directory cannot be created.");
            }
            org.apache.hadoop.fs.Path probe = new org.apache.hadoop.fs.Path(dir, "_probe-" + System.nanoTime());
            fs.create(probe, false).close();
            fs.delete(probe, false);
            // absolute and with its scheme: executors elsewhere resolve a relative path against their own directory
            return fs.makeQualified(dir);
        } catch (IOException e) {
            throw new UserError("Cannot write to --out " + outDir + ": " + e.getMessage() + ". Choose a writable directory.");
        }
    }
}
