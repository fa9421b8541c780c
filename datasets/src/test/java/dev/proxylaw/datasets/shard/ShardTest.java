package dev.proxylaw.datasets.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.Fixtures;
import dev.proxylaw.datasets.Tokenizer;
import dev.proxylaw.datasets.Tokenizers;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShardTest {
    @TempDir
    Path dir;

    static List<String> paragraphs() {
        return Arrays.asList(Fixtures.persuasion().split("(?<=\n\n)(?=[^\n])"));
    }

    static Path write(Path file, Tokenizer tok, List<String> docs) throws IOException {
        ShardWriter w = new ShardWriter(tok, "train");
        for (String d : docs) {
            w.add(tok.encode(d));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            w.writeTo(ch);
        }
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"byte", "gpt2", "cl100k"})
    void documentsComeBackFromTheMemoryMap(String id) throws IOException {
        Tokenizer tok = Tokenizers.byId(id);
        List<String> docs = paragraphs();
        Shard s = Shard.open(write(dir.resolve("s.arrow"), tok, docs));
        ShardHeader h = s.header();
        assertEquals(Dtype.forVocab(tok.vocabSize()), h.dtype());
        assertEquals(id.equals("byte") ? Dtype.UINT8 : id.equals("gpt2") ? Dtype.UINT16 : Dtype.INT32, h.dtype());
        assertEquals(docs.size(), h.documents());
        assertEquals(tok.vocabSize(), h.vocabSize());
        long expected = 0;
        for (int d = 0; d < docs.size(); d++) {
            int[] back = s.document(d);
            int n = back.length - (tok.eot() >= 0 ? 1 : 0);
            if (tok.eot() >= 0) {
                assertEquals(tok.eot(), back[n], "every document ends with end-of-text");
            }
            assertEquals(docs.get(d), tok.decode(Arrays.copyOf(back, n)));
            expected += back.length;
        }
        assertEquals(expected, h.tokens());
        // the whole shard is one stream: the paragraphs concatenated give the book back
        int[] all = new int[(int) s.size()];
        s.read(0, all, 0, all.length);
        if (tok.eot() < 0) {
            assertEquals(Fixtures.persuasion(), tok.decode(all));
        } else {
            assertEquals(docs.size(), Arrays.stream(all).filter(t -> t == tok.eot()).count());
        }
    }

    @Test
    void sameDocumentsGiveTheSameBytes() throws IOException {
        Tokenizer tok = Tokenizers.byId("gpt2");
        Path a = write(dir.resolve("a.arrow"), tok, paragraphs());
        Path b = write(dir.resolve("b.arrow"), tok, paragraphs());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // an Arrow IPC file: magic at both ends
        byte[] bytes = Files.readAllBytes(a);
        assertEquals("ARROW1", new String(bytes, 0, 6, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("ARROW1", new String(bytes, bytes.length - 6, 6, java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void anyArrowReaderSeesOneListColumnOfDocumentsWithTheHeaderAsSchemaMetadata() throws IOException {
        Tokenizer tok = Tokenizers.byId("gpt2");
        List<String> docs = paragraphs().subList(0, 20);
        Path file = write(dir.resolve("s.arrow"), tok, docs);
        Shard mapped = Shard.open(file);
        // Arrow's generic reader, not our memory map: what pyarrow.ipc.open_file(...).read_all() sees
        try (RootAllocator alloc = new RootAllocator(); FileChannel ch = FileChannel.open(file);
             org.apache.arrow.vector.ipc.ArrowFileReader r = new org.apache.arrow.vector.ipc.ArrowFileReader(ch, alloc)) {
            assertTrue(r.loadNextBatch());
            VectorSchemaRoot root = r.getVectorSchemaRoot();
            assertEquals("gpt2", root.getSchema().getCustomMetadata().get("proxylaw.tokenizer"));
            assertEquals("50257", root.getSchema().getCustomMetadata().get("proxylaw.vocab_size"));
            assertEquals("Schema<tokens: List<item: Int(16, false) not null> not null>", root.getSchema().toString()
                    .replaceAll("\\(metadata: .*\\)", "").strip());
            org.apache.arrow.vector.complex.ListVector col = (org.apache.arrow.vector.complex.ListVector) root.getVector("tokens");
            assertEquals(docs.size(), root.getRowCount());
            for (int d = 0; d < docs.size(); d++) {
                List<?> row = col.getObject(d);
                int[] viaArrow = row.stream().mapToInt(x -> x instanceof Character c ? c : ((Number) x).intValue()).toArray();   // uint16 is a char in Java
                assertArrayEquals(mapped.document(d), viaArrow, "document " + d);
            }
            assertTrue(!r.loadNextBatch(), "one record batch");
        }
    }

    @Test
    void aTruncatedShardIsRefusedWithTheFix() throws IOException {
        Path good = write(dir.resolve("train-00000.arrow"), Tokenizers.byId("gpt2"), paragraphs());
        byte[] bytes = Files.readAllBytes(good);
        for (int keep : new int[] {0, 5, bytes.length / 2, bytes.length - 1}) {
            Path cut = Files.write(dir.resolve("cut-" + keep + ".arrow"), Arrays.copyOf(bytes, keep));
            String msg = assertThrows(DataException.class, () -> Shard.open(cut)).getMessage();
            assertTrue(msg.startsWith("Cannot read shard " + cut + ": ") && msg.endsWith("Re-run proxylaw tokenize."), msg);
        }
    }

    @Test
    void foreignFilesAreRefusedWithTheFix() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.arrow"), "just some text, long enough to look like something\n");
        String msg = assertThrows(DataException.class, () -> Shard.open(text)).getMessage();
        assertTrue(msg.contains("notes.arrow") && msg.contains("Re-run proxylaw tokenize."), msg);

        // a valid Arrow file that is not ours: an int column, no proxylaw metadata
        Path other = dir.resolve("other.arrow");
        Schema schema = new Schema(List.of(Field.notNullable("x", new ArrowType.Int(32, true))), Map.of("k", "v"));
        try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(schema, alloc);
             FileChannel ch = FileChannel.open(other, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             ArrowFileWriter w = new ArrowFileWriter(root, null, ch)) {
            ((IntVector) root.getVector(0)).setSafe(0, 7);
            root.setRowCount(1);
            w.start();
            w.writeBatch();
            w.end();
        }
        msg = assertThrows(DataException.class, () -> Shard.open(other)).getMessage();
        assertTrue(msg.contains("other.arrow: it is not a proxylaw token shard") && msg.endsWith("Re-run proxylaw tokenize."), msg);

        Path missing = dir.resolve("missing.arrow");
        msg = assertThrows(DataException.class, () -> Shard.open(missing)).getMessage();
        assertTrue(msg.contains("missing.arrow: it does not exist"), msg);
    }

    @Test
    void concatenatedShardsReadAcrossBoundariesLikeOneArray() throws IOException {
        Tokenizer tok = Tokenizers.byId("gpt2");
        List<String> docs = paragraphs();
        Shard a = Shard.open(write(dir.resolve("a.arrow"), tok, docs.subList(0, 40)));
        Shard b = Shard.open(write(dir.resolve("b.arrow"), tok, docs.subList(40, 41)));
        Shard c = Shard.open(write(dir.resolve("c.arrow"), tok, docs.subList(41, docs.size())));
        ConcatSource all = new ConcatSource(List.of(a, b, c));
        int[] flat = new int[(int) all.size()];
        int p = 0;
        for (Shard s : List.of(a, b, c)) {
            s.read(0, flat, p, (int) s.size());
            p += (int) s.size();
        }
        assertEquals(a.size() + b.size() + c.size(), all.size());
        int[] window = new int[(int) b.size() + 20];
        for (long start : new long[] {0, a.size() - 10, a.size() - 1, a.size(), a.size() + b.size() - 5, all.size() - window.length}) {
            all.read(start, window, 0, window.length);
            assertArrayEquals(Arrays.copyOfRange(flat, (int) start, (int) start + window.length), window, "window at " + start);
        }
        assertThrows(IndexOutOfBoundsException.class, () -> all.read(all.size() - 3, window, 0, 4));
    }
}
