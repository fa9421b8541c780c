package dev.proxylaw.trainer.config;

import static dev.proxylaw.trainer.config.ConfigException.orDefault;
import static dev.proxylaw.trainer.config.ConfigException.require;

/**
 * Where a run's tokens come from.
 *
 * @param source {@code markov}: the generated corpus of known entropy (see {@code MarkovCorpus});
 *     {@code text}: a UTF-8 text file read through the byte-level tokenizer;
 *     {@code shards}: the output directory of {@code proxylaw tokenize} (tokenizer and vocab from its header)
 * @param path the text file ({@code text}) or the shard directory ({@code shards})
 * @param valFraction the held-out tail of the corpus used for validation loss; not for {@code shards},
 *     which were split by document when they were tokenized
 * @param markovTokens corpus length for {@code source: markov}
 * @param markovSeed the Markov source's seed (fixed across runs of a sweep, unlike the run seed)
 * @param markovAlphabet symbols of the Markov source
 * @param markovOrder how many previous symbols the next one depends on (order >= 2 needs attention)
 * @param markovBranch allowed successors per context
 */
public record DataConfig(String source, String path, Double valFraction, Integer markovTokens, Long markovSeed,
                         Integer markovAlphabet, Integer markovOrder, Integer markovBranch) {
    public DataConfig {
        source = orDefault(source, "markov");
        require(source.equals("markov") || source.equals("text") || source.equals("shards"),
                "Cannot use data.source='" + source + "': use 'markov' (generated corpus), 'text' (a UTF-8 file in data.path) "
                        + "or 'shards' (a proxylaw tokenize output directory in data.path).");
        require(!source.equals("shards") || valFraction == null,
                "Cannot use data.val_fraction with data.source='shards': the shards were split by document when they were "
                        + "tokenized. Remove val_fraction, or re-run proxylaw tokenize with --val-fraction.");
        valFraction = source.equals("shards") ? null : orDefault(valFraction, 0.1);
        markovTokens = orDefault(markovTokens, 1 << 20);
        markovSeed = orDefault(markovSeed, 1234L);
        markovAlphabet = orDefault(markovAlphabet, 16);
        markovOrder = orDefault(markovOrder, 2);
        markovBranch = orDefault(markovBranch, 3);
        require(!source.equals("text") || (path != null && !path.isBlank()),
                "Cannot use data.source='text' without data.path: set data.path to a UTF-8 text file.");
        require(!source.equals("shards") || (path != null && !path.isBlank()),
                "Cannot use data.source='shards' without data.path: set data.path to the --out directory of proxylaw tokenize.");
        require(valFraction == null || (valFraction > 0 && valFraction < 1),
                "Cannot use data.val_fraction=" + valFraction + ": it must lie strictly between 0 and 1 (e.g. 0.1).");
        require(markovTokens >= 1024, "Cannot use data.markov_tokens=" + markovTokens + ": use at least 1024.");
        require(markovAlphabet >= 2 && markovAlphabet <= 94,
                "Cannot use data.markov_alphabet=" + markovAlphabet + ": it must lie in [2, 94].");
        require(markovOrder >= 1 && markovOrder <= 4, "Cannot use data.markov_order=" + markovOrder + ": it must lie in [1, 4].");
        require(markovBranch >= 1 && markovBranch <= markovAlphabet,
                "Cannot use data.markov_branch=" + markovBranch + ": it must lie in [1, markov_alphabet].");
    }

    public static DataConfig markov() {
        return new DataConfig(null, null, null, null, null, null, null, null);
    }
}
