package dev.proxylaw.datasets.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Plain text: a document is a paragraph together with the empty lines after it, so the documents of
 * a file, concatenated, are the file byte for byte (a tokenizer without end-of-text tokens gives the
 * file back exactly). Empty lines before the first paragraph belong to it. A paragraph that straddles
 * the boundary of two shards' input ranges becomes two documents.
 */
public final class TextDocuments {
    private TextDocuments() {
    }

    /** Reads the documents of bytes [start, end) of {@code file}; {@code in} is positioned at max(0, start - 1). */
    public static void read(InputStream in, String file, long start, long end, DocumentSink sink) throws IOException {
        LineReader r = new LineReader(in, Math.max(0, start - 1));
        r.skipToLineStartingAtOrAfter(start);
        Utf8 utf8 = new Utf8();
        byte[] doc = new byte[1 << 14];
        int len = 0;
        long docStart = -1;
        boolean hasText = false;
        boolean blankAfterText = false;
        while (r.position() < end && r.next()) {
            boolean blank = r.blank();
            if (!blank && blankAfterText) {
                emit(doc, len, file, docStart, utf8, sink);
                len = 0;
                hasText = false;
                blankAfterText = false;
            }
            if (len == 0) {
                docStart = r.lineStart;
            }
            if (len + r.length > doc.length) {
                doc = Arrays.copyOf(doc, Math.max(len + r.length, doc.length * 2));
            }
            System.arraycopy(r.line, 0, doc, len, r.length);
            len += r.length;
            hasText |= !blank;
            blankAfterText |= blank && hasText;
        }
        if (len > 0) {
            emit(doc, len, file, docStart, utf8, sink);
        }
    }

    private static void emit(byte[] doc, int len, String file, long at, Utf8 utf8, DocumentSink sink) {
        String text = utf8.decode(doc, len, file, at);
        sink.accept(text, Arrays.copyOf(doc, len));
    }
}
