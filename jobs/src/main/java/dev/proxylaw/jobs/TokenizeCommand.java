package dev.proxylaw.jobs;

import dev.proxylaw.datasets.Tokenizer;
import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.datasets.shard.Dtype;
import dev.proxylaw.datasets.shard.Manifest;
import dev.proxylaw.jobs.spark.Spark;
import dev.proxylaw.jobs.spark.SparkSettings;
import dev.proxylaw.jobs.tokenize.TokenizeJob;
import dev.proxylaw.jobs.tokenize.TokenizeOptions;
import java.io.PrintStream;
import org.apache.spark.sql.SparkSession;

/**
 * {@code proxylaw tokenize INPUT... --out DIR}: corpora in (text, JSONL, Parquet; any Hadoop path), token
 * shards out, as a Spark job. Everything checkable is checked before Spark starts.
 */
final class TokenizeCommand {
    static final String USAGE = "Usage: proxylaw tokenize INPUT... --out DIR [--format text|jsonl|parquet] [--field NAME] "
            + "[--tokenizer gpt2|cl100k|byte] [--val-fraction 0.01] [--shard-mb 64] " + SparkOptions.USAGE;

    private TokenizeCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Args a = new Args("tokenize", argv, 1,
                SparkOptions.with("out", "format", "field", "tokenizer", "val-fraction", "shard-mb"));
        if (a.positional.isEmpty() || a.get("out", null) == null) {
            throw new UserError(USAGE);
        }
        TokenizeOptions o = new TokenizeOptions(a.positional, a.get("out", null), a.get("format", "text"),
                a.get("field", null), a.get("tokenizer", "gpt2"), a.doubleValue("val-fraction", 0.01),
                (long) (a.doubleValue("shard-mb", 64) * (1 << 20)));
        SparkSettings settings = SparkOptions.settings(a, argv);
        TokenizeJob job = TokenizeJob.prepare(o, settings.hadoopOverrides());
        Tokenizer tok = Tokenizers.byId(o.tokenizer());
        out.printf("tokenize: %,d file%s, %,d bytes, in %d unit%s of up to %s MiB; tokenizer %s (vocab %,d, %s); "
                        + "val fraction %s by document hash%n", job.files().size(), job.files().size() == 1 ? "" : "s",
                job.inputBytes(), job.units().size(), job.units().size() == 1 ? "" : "s",
                new java.math.BigDecimal(o.shardBytes() / (double) (1 << 20)).round(new java.math.MathContext(3)).toPlainString(), tok.id(),
                tok.vocabSize(), Dtype.forVocab(tok.vocabSize()).id(), o.valFraction());
        long t0 = System.nanoTime();
        SparkSession spark = Spark.session("proxylaw tokenize", settings);
        Manifest m;
        try {
            m = job.run(spark);
        } finally {
            spark.stop();
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        out.println("  split  shards     documents          tokens           bytes");
        print(out, "train", m, m.train());
        print(out, "val", m, m.val());
        Manifest.Totals all = m.train().plus(m.val());
        out.printf("  total  %6d  %12s  %14s  %14s%n", m.shards().size(), String.format("%,d", all.documents()),
                String.format("%,d", all.tokens()), String.format("%,d", all.bytes()));
        out.printf("wrote %s: %d shards and %s in %.1f s (%,.0f tokens/s)%n", o.out(), m.shards().size(), Manifest.FILE,
                sec, all.tokens() / sec);
        if (m.val().tokens() == 0 || m.train().tokens() == 0) {
            out.printf("warning: the %s split is empty; a run needs both. Use more input or another --val-fraction.%n",
                    m.val().tokens() == 0 ? "validation" : "training");
        }
        return 0;
    }

    private static void print(PrintStream out, String split, Manifest m, Manifest.Totals t) {
        long shards = m.shards().stream().filter(e -> e.split().equals(split)).count();
        out.printf("  %-5s  %6d  %12s  %14s  %14s%n", split, shards, String.format("%,d", t.documents()),
                String.format("%,d", t.tokens()), String.format("%,d", t.bytes()));
    }
}
