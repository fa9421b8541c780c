package dev.proxylaw.trainer;

import dev.proxylaw.datasets.ByteTokenizer;
import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.MarkovCorpus;
import dev.proxylaw.datasets.TokenCorpus;
import dev.proxylaw.datasets.shard.ShardSet;
import dev.proxylaw.trainer.config.ConfigException;
import dev.proxylaw.trainer.config.DataConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resolves a run's {@code data} section to tokens. */
public final class Corpora {
    private Corpora() {
    }

    public static MarkovCorpus markov(DataConfig data) {
        return new MarkovCorpus(data.markovAlphabet(), data.markovOrder(), data.markovBranch(), data.markovSeed());
    }

    public static TokenCorpus load(DataConfig data) {
        if (data.source().equals("markov")) {
            MarkovCorpus source = markov(data);
            return TokenCorpus.split(source.describe(), ByteTokenizer.INSTANCE.id(), ByteTokenizer.INSTANCE.vocabSize(),
                    source.generate(data.markovTokens(), 0), data.valFraction());
        }
        Path path = Path.of(data.path());
        if (data.source().equals("shards")) {
            if (!Files.isDirectory(path)) {
                throw new ConfigException("Cannot read shards in " + path + " (data.path): it is not a directory. "
                        + "Point data.path at the --out directory of proxylaw tokenize.");
            }
            try {
                // memory-mapped, headers checked against the manifest: cheap to open, safe to share
                return ShardSet.open(path).corpus();
            } catch (DataException e) {
                throw new ConfigException(e.getMessage() + " (data.path)", e);
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException("Cannot read data file " + path + " (data.path): it does not exist or is not a file. "
                    + "Point data.path at a UTF-8 text file.");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ConfigException("Cannot read data file " + path + " (data.path): " + e.getMessage() + ".");
        }
        if (bytes.length == 0) {
            throw new ConfigException("Cannot train on data file " + path + " (data.path): it is empty.");
        }
        return TokenCorpus.split(path.getFileName().toString(), ByteTokenizer.INSTANCE.id(),
                ByteTokenizer.INSTANCE.vocabSize(), ByteTokenizer.fromBytes(bytes), data.valFraction());
    }
}
