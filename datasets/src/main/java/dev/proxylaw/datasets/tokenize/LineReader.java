package dev.proxylaw.datasets.tokenize;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Lines of a byte stream with their absolute positions, '\n' kept. A byte range [start, end) of a
 * file owns exactly the lines that start inside it (Hadoop's rule), so ranges read in parallel see
 * every line once: a reader for a range that starts mid-file begins one byte early and skips through
 * the first '\n'. Splitting at '\n' never cuts a UTF-8 character (0x0A is never inside one).
 */
final class LineReader {
    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int bufPos;
    private int bufLen;
    private long pos;          // absolute position of buf[bufPos]
    byte[] line = new byte[1 << 12];
    int length;                // bytes of the current line, its '\n' included
    long lineStart;            // absolute position of the current line

    /** {@code in} is positioned at {@code position}. */
    LineReader(InputStream in, long position) {
        this.in = in;
        this.pos = position;
    }

    /** Positions the reader at the first line that starts at or after {@code start}, given the stream is at start - 1. */
    void skipToLineStartingAtOrAfter(long start) throws IOException {
        if (start > 0) {
            next();   // through the first '\n' at or after start - 1
        }
    }

    long position() {
        return pos;
    }

    /** Reads the next line into {@link #line}; false at the end of the stream. */
    boolean next() throws IOException {
        length = 0;
        lineStart = pos;
        while (true) {
            if (bufPos == bufLen) {
                bufLen = in.read(buf, 0, buf.length);
                bufPos = 0;
                if (bufLen <= 0) {
                    bufLen = 0;
                    return length > 0;
                }
            }
            int i = bufPos;
            while (i < bufLen && buf[i] != '\n') {
                i++;
            }
            boolean eol = i < bufLen;
            int n = (eol ? i + 1 : i) - bufPos;
            if (length + n > line.length) {
                line = Arrays.copyOf(line, Math.max(length + n, line.length * 2));
            }
            System.arraycopy(buf, bufPos, line, length, n);
            length += n;
            bufPos += n;
            pos += n;
            if (eol) {
                return true;
            }
        }
    }

    /** True for an empty line ("\n" or "\r\n"). */
    boolean blank() {
        return length == 0 || (line[0] == '\n') || (length == 2 && line[0] == '\r' && line[1] == '\n');
    }
}
