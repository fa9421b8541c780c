package dev.proxylaw.datasets.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentsTest {
    static InputStream at(byte[] file, long position) {
        ByteArrayInputStream in = new ByteArrayInputStream(file);
        in.skip(position);
        return in;
    }

    /** Reads the text in ranges of {@code unit} bytes, as parallel tasks would. */
    static List<String> textDocs(byte[] file, long unit) throws IOException {
        List<String> docs = new ArrayList<>();
        for (long s = 0; s < file.length; s += unit) {
            TextDocuments.read(at(file, Math.max(0, s - 1)), "f.txt", s, Math.min(file.length, s + unit), (t, b) -> docs.add(t));
        }
        return docs;
    }

    @Test
    void textDocumentsAreParagraphsThatConcatenateToTheFileForAnyRangeSize() throws IOException {
        String book = Fixtures.persuasion();
        byte[] bytes = book.getBytes(StandardCharsets.UTF_8);
        List<String> whole = textDocs(bytes, bytes.length);
        assertTrue(whole.size() > 300, "paragraphs: " + whole.size());
        assertEquals(book, String.join("", whole));
        assertTrue(whole.stream().skip(1).allMatch(d -> !d.startsWith("\n")), "a document starts with its paragraph");
        for (long unit : new long[] {1, 7, 1000, 4096, 65_536, 100_000}) {
            List<String> parts = textDocs(bytes, unit);
            assertEquals(book, String.join("", parts), "unit " + unit);
        }
        String small = "\n\nfirst para\nline two\n\n\nsecond\r\n\r\nthird";
        assertEquals(List.of("\n\nfirst para\nline two\n\n\n", "second\r\n\r\n", "third"),
                textDocs(small.getBytes(StandardCharsets.UTF_8), 1000));
    }

    @Test
    void invalidUtf8NamesTheFileAndOffset() {
        byte[] bytes = "good line\n\ncaf\u00e9 ok\n".getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[bytes.length + 2];
        System.arraycopy(bytes, 0, bad, 0, bytes.length);
        bad[bytes.length] = (byte) 'x';
        bad[bytes.length + 1] = (byte) 0xE9;   // latin-1 é
        String msg = assertThrows(DataException.class, () -> textDocs(bad, 1000)).getMessage();
        assertEquals("Cannot read f.txt: it is not UTF-8 (invalid byte at offset " + (bytes.length + 1)
                + "). Convert it first, e.g. iconv -f latin1 -t utf-8 FILE > FILE.utf8.", msg);
    }

    static List<String> jsonl(String text, String field, long unit) throws IOException {
        byte[] file = text.getBytes(StandardCharsets.UTF_8);
        List<String> docs = new ArrayList<>();
        for (long s = 0; s < file.length; s += unit) {
            JsonlDocuments.read(at(file, Math.max(0, s - 1)), "d.jsonl", s, Math.min(file.length, s + unit), field,
                    (t, b) -> docs.add(t));
        }
        return docs;
    }

    @Test
    void jsonlRecordsAreReadOnceWhateverTheRanges() throws IOException {
        String file = "{\"id\": 1, \"text\": \"caf\\u00e9\\nline\", \"meta\": {\"a\": [1, 2]}}\n\n"
                + "{\"text\": \"two 🙂\"}\r\n{\"text\": \"\", \"x\": null}\n{\"text\":\"last\"}";
        for (long unit : new long[] {1, 5, 30, 1000}) {
            assertEquals(List.of("café\nline", "two 🙂", "", "last"), jsonl(file, "text", unit), "unit " + unit);
        }
        assertEquals(List.of("x"), jsonl("{\"body\": \"x\", \"text\": 3}\n", "body", 100));
    }

    @Test
    void jsonlErrorsNameTheFileTheOffsetAndTheFix() {
        String msg = assertThrows(DataException.class, () -> jsonl("{\"text\": \"a\"}\n{\"body\": \"b\", \"id\": 2}\n", "text", 100))
                .getMessage();
        assertEquals("Cannot read d.jsonl at byte 14: the record has no field 'text' (its fields: body, id). Pass --field NAME.", msg);
        msg = assertThrows(DataException.class, () -> jsonl("{\"text\": 3}\n", "text", 100)).getMessage();
        assertTrue(msg.contains("field 'text' is VALUE_NUMBER_INT, not a string"), msg);
        msg = assertThrows(DataException.class, () -> jsonl("[1, 2]\n", "text", 100)).getMessage();
        assertTrue(msg.contains("at byte 0: the line is not a JSON object"), msg);
        msg = assertThrows(DataException.class, () -> jsonl("{\"text\": \"unterminated}\n", "text", 100)).getMessage();
        assertTrue(msg.startsWith("Cannot read d.jsonl at byte 0: the line is not valid JSON"), msg);
    }

    @Test
    void unitsCoverEveryByteOnceAndKeepFileOrder() {
        List<Unit.FileInput> files = List.of(new Unit.FileInput("a", 10), new Unit.FileInput("empty", 0),
                new Unit.FileInput("b", 25), new Unit.FileInput("c", 3));
        List<Unit> units = Unit.plan(files, 12, true);
        assertEquals(4, units.size());
        assertEquals(List.of(new Unit.Segment("a", 0, 10), new Unit.Segment("b", 0, 2)), units.get(0).segments());
        assertEquals(List.of(new Unit.Segment("b", 2, 14)), units.get(1).segments());
        assertEquals(List.of(new Unit.Segment("b", 14, 25), new Unit.Segment("c", 0, 1)), units.get(2).segments());
        assertEquals(38, units.stream().mapToLong(Unit::bytes).sum());
        List<Unit> whole = Unit.plan(files, 12, false);
        assertEquals(List.of(List.of(new Unit.Segment("a", 0, 10), new Unit.Segment("b", 0, 25)),
                List.of(new Unit.Segment("c", 0, 3))), whole.stream().map(Unit::segments).toList());
    }

    @Test
    void theSplitDependsOnlyOnTheTextAndHitsTheFraction() {
        ValSplit a = new ValSplit(0.1);
        ValSplit b = new ValSplit(0.1);
        int val = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] doc = ("document " + i).getBytes(StandardCharsets.UTF_8);
            boolean v = a.isVal(doc);
            assertEquals(v, b.isVal(doc));
            val += v ? 1 : 0;
        }
        assertTrue(Math.abs(val - 2000) < 150, "val documents: " + val);
        // the documented rule, by hand: sha256("hello")[:8] = 2cf24dba5fb0a30e = 0.1756... of 2^64
        assertTrue(new ValSplit(0.18).isVal("hello".getBytes(StandardCharsets.UTF_8)));
        assertTrue(!new ValSplit(0.17).isVal("hello".getBytes(StandardCharsets.UTF_8)));
    }
}
