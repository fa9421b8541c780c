package dev.proxylaw.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.Tokenizer;
import dev.proxylaw.datasets.Tokenizers;
import dev.proxylaw.datasets.shard.Manifest;
import dev.proxylaw.datasets.shard.Shard;
import dev.proxylaw.datasets.shard.ShardSet;
import dev.proxylaw.datasets.tokenize.TextDocuments;
import dev.proxylaw.datasets.tokenize.Unit;
import dev.proxylaw.datasets.tokenize.ValSplit;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code proxylaw tokenize} on Spark local mode: real text in, shards out, read back, trained on; bad input exits 2. */
class TokenizeCommandTest {
    /** The real-text fixture of the datasets module (Maven runs the tests in the module directory). */
    static final Path BOOK = Path.of("../datasets/src/test/resources/corpus/persuasion-excerpt.txt");

    @TempDir
    Path dir;

    static CliRunner.Result cli(String... args) {
        return CliRunner.run(args);
    }

    /** Decoded documents of a split, end-of-text removed, in stream order. */
    static List<String> decoded(List<Shard> shards, Tokenizer tok) {
        List<String> docs = new ArrayList<>();
        for (Shard s : shards) {
            for (int d = 0; d < s.header().documents(); d++) {
                int[] t = s.document(d);
                docs.add(tok.decode(tok.eot() >= 0 ? Arrays.copyOf(t, t.length - 1) : t));
            }
        }
        return docs;
    }

    @Test
    void realTextRoundTripsThroughShardsByteIdenticallyAndTrains() throws Exception {
        byte[] book = Files.readAllBytes(BOOK);
        double mb = 40_000 / (double) (1 << 20);   // four units, so paragraphs straddle unit boundaries
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        for (Path out : List.of(a, b)) {
            CliRunner.Result r = cli("tokenize", BOOK.toString(), "--out", out.toString(), "--val-fraction", "0.1",
                    "--shard-mb", String.valueOf(mb));
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("in 4 units") && r.out().contains("wrote " + out), r.out());
        }
        // the same input twice: the same files, byte for byte
        List<String> names;
        try (Stream<Path> files = Files.list(a)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(List.of("manifest.json", "train-00000.arrow", "train-00001.arrow", "train-00002.arrow",
                "train-00003.arrow", "val-00000.arrow", "val-00001.arrow", "val-00002.arrow", "val-00003.arrow"), names);
        for (String n : names) {
            assertArrayEquals(Files.readAllBytes(a.resolve(n)), Files.readAllBytes(b.resolve(n)), n);
        }
        // read back: the documents, decoded, are the paragraphs of each unit's range, split by hash, in order
        Tokenizer gpt2 = Tokenizers.byId("gpt2");
        ShardSet set = ShardSet.open(a);
        ValSplit split = new ValSplit(0.1);
        List<String> train = new ArrayList<>();
        List<String> val = new ArrayList<>();
        for (Unit u : Unit.plan(List.of(new Unit.FileInput("f", book.length)), (long) (mb * (1 << 20)), true)) {
            Unit.Segment s = u.segments().get(0);
            ByteArrayInputStream in = new ByteArrayInputStream(book);
            in.skip(Math.max(0, s.start() - 1));
            TextDocuments.read(in, "f", s.start(), s.end(), (t, utf8) -> (split.isVal(utf8) ? val : train).add(t));
        }
        assertEquals(train, decoded(set.train(), gpt2));
        assertEquals(val, decoded(set.val(), gpt2));
        Manifest m = set.manifest();
        assertEquals(book.length, m.train().bytes() + m.val().bytes(), "every byte of the book is in a document");
        assertEquals(train.size() + val.size(), m.train().documents() + m.val().documents());
        assertTrue(m.val().documents() > 10 && m.val().documents() < m.train().documents() / 4, m.val().toString());
        assertEquals(m.train().tokens(), set.corpus().train().size(), "exact token accounting");

        // and a run trains on them: vocab and tokenizer from the shards, recorded in the runs table
        Path cfg = Files.writeString(dir.resolve("run.yaml"), """
                seed: 1
                data: {source: shards, path: %s}
                model: {d_model: 32, n_layers: 1, n_heads: 2, seq_len: 32}
                train: {batch_size: 4, steps: 3, eval_batches: 2}
                """.formatted(a));
        Path out = dir.resolve("runs");
        CliRunner.Result r = cli("train", cfg.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             ResultSet rs = c.createStatement().executeQuery("SELECT status, data_source, tokenizer, vocab, tokens FROM read_parquet('"
                     + out.resolve("runs") + "/*.parquet')")) {
            assertTrue(rs.next());
            assertEquals("COMPLETED", rs.getString("status"));
            assertEquals("shards", rs.getString("data_source"));
            assertEquals("gpt2", rs.getString("tokenizer"));
            assertEquals(50257, rs.getInt("vocab"));
            assertEquals(3 * 4 * 32, rs.getLong("tokens"));
        }
    }

    @Test
    void jsonlAndParquetRoundTripWithByteAndCl100k() throws Exception {
        List<String> docs = List.of("naïve café — Zürich", "東京 🙂 emoji", "<|endoftext|> is plain text here", "line\nbreaks\n\n",
                "the quick brown fox");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < docs.size(); i++) {
            jsonl.append("{\"id\": ").append(i).append(", \"body\": ")
                    .append(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(docs.get(i))).append("}\n");
        }
        Path in = Files.writeString(dir.resolve("docs.jsonl"), jsonl.toString());
        Path pq = dir.resolve("docs.parquet");
        MessageType schema = MessageTypeParser.parseMessageType("message doc { required int32 id; optional binary content (STRING); }");
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(pq.toString()))
                .withType(schema).withConf(new Configuration()).build()) {
            SimpleGroupFactory f = new SimpleGroupFactory(schema);
            for (int i = 0; i < docs.size(); i++) {
                w.write(f.newGroup().append("id", i).append("content", docs.get(i)));
            }
            w.write(f.newGroup().append("id", 99));   // a null text: skipped
        }
        for (String tokenizer : List.of("byte", "cl100k")) {
            Path o1 = dir.resolve("jsonl-" + tokenizer);
            Path o2 = dir.resolve("parquet-" + tokenizer);
            CliRunner.Result r1 = cli("tokenize", in.toString(), "--out", o1.toString(), "--format", "jsonl", "--field", "body",
                    "--tokenizer", tokenizer, "--val-fraction", "0.3");
            assertEquals(0, r1.code(), r1.out() + r1.err());
            CliRunner.Result r2 = cli("tokenize", pq.toString(), "--out", o2.toString(), "--format", "parquet",
                    "--field", "content", "--tokenizer", tokenizer, "--val-fraction", "0.3");
            assertEquals(0, r2.code(), r2.out() + r2.err());
            Tokenizer tok = Tokenizers.byId(tokenizer);
            for (Path o : List.of(o1, o2)) {
                ShardSet s = ShardSet.open(o);
                List<String> back = new ArrayList<>(decoded(s.train(), tok));
                back.addAll(decoded(s.val(), tok));
                assertEquals(docs.stream().sorted().toList(), back.stream().sorted().toList(), o.toString());
                assertEquals(tokenizer, s.manifest().tokenizer());
                assertEquals(tok.vocabSize(), s.train().get(0).header().vocabSize());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing input     | MISSING.txt  | text    |       | gpt2  | does not exist",
        "empty input       | empty.txt    | text    |       | gpt2  | the file is empty",
        "empty directory   | emptydir     | text    |       | gpt2  | holds no data",
        "unknown jsonl key | docs.jsonl   | jsonl   | txt   | gpt2  | has no field 'txt' (its fields: text)",
        "unknown column    | docs.parquet | parquet | body  | gpt2  | has no column 'body' (its columns: id, text)",
        "not parquet       | book.txt     | parquet |       | gpt2  | not a readable Parquet file",
        "unknown tokenizer | book.txt     | text    |       | gpt5  | Use one of: byte, gpt2, cl100k",
        "not utf-8         | latin1.txt   | text    |       | gpt2  | it is not UTF-8 (invalid byte at offset 50004)",
        "output not empty  | book.txt     | text    |       | OUT   | already holds files",
    })
    void badInputExitsTwoWithOneLineAndLeavesNothing(String name, String input, String format, String field, String tokenizer,
                                                     String expected) throws Exception {
        Files.writeString(dir.resolve("empty.txt"), "");
        Files.createDirectories(dir.resolve("emptydir/sub"));
        Files.writeString(dir.resolve("emptydir/sub/_SUCCESS"), "marker");
        Files.writeString(dir.resolve("book.txt"), "A paragraph.\n\nAnother one.\n");
        Files.writeString(dir.resolve("docs.jsonl"), "{\"text\": \"a\"}\n");
        MessageType schema = MessageTypeParser.parseMessageType("message doc { required int32 id; optional binary text (STRING); }");
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(dir.resolve("docs.parquet").toString()))
                .withType(schema).withConf(new Configuration()).build()) {
            w.write(new SimpleGroupFactory(schema).newGroup().append("id", 1).append("text", "x"));
        }
        // valid UTF-8 for 50,000 bytes, in the second of several units, then a Latin-1 'é': a task finds it, not the driver
        byte[] latin1 = ("x".repeat(49_999) + "\n\ncaf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("latin1.txt"), latin1);
        Path out = dir.resolve("out-" + name.replace(' ', '-'));
        if (tokenizer.equals("OUT")) {
            Files.createDirectories(out);
            Files.writeString(out.resolve("keep.txt"), "older output");
            tokenizer = "gpt2";
        }
        List<String> args = new ArrayList<>(List.of("tokenize", dir.resolve(input).toString(), "--out", out.toString(),
                "--format", format, "--tokenizer", tokenizer, "--shard-mb", "0.04"));
        if (field != null) {
            args.addAll(List.of("--field", field));
        }
        CliRunner.Result r = cli(args.toArray(new String[0]));
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertTrue(r.err().startsWith("error: Cannot "), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("error:")).count(), r.err());
        if (name.equals("output not empty")) {
            try (Stream<Path> left = Files.list(out)) {
                assertEquals(List.of("keep.txt"), left.map(p -> p.getFileName().toString()).toList(), "nothing added");
            }
        } else {
            assertFalse(Files.exists(out), "nothing may be written on bad input: " + out);
        }
    }
}
