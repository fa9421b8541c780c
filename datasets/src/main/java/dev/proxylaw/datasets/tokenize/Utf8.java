package dev.proxylaw.datasets.tokenize;

import dev.proxylaw.datasets.DataException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: a malformed byte is an error naming the file and its offset, never a silent U+FFFD. One per thread. */
public final class Utf8 {
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars = CharBuffer.allocate(1 << 12);

    /** Decodes bytes[0, len) that start at absolute offset {@code at} of {@code file}. */
    public String decode(byte[] bytes, int len, String file, long at) {
        if (ascii(bytes, len)) {
            // most English text: every byte is its own character, and Latin-1 is the JDK's copy-only path
            return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
        }
        if (chars.capacity() < len) {
            chars = CharBuffer.allocate(Math.max(len, chars.capacity() * 2));
        }
        chars.clear();
        decoder.reset();
        ByteBuffer in = ByteBuffer.wrap(bytes, 0, len);
        CoderResult r = decoder.decode(in, chars, true);
        if (!r.isError()) {
            r = decoder.flush(chars);
        }
        if (r.isError()) {
            throw notUtf8(file, at + in.position());
        }
        chars.flip();
        return chars.toString();
    }

    private static boolean ascii(byte[] bytes, int len) {
        for (int i = 0; i < len; i++) {
            if (bytes[i] < 0) {
                return false;
            }
        }
        return true;
    }

    public static DataException notUtf8(String file, long offset) {
        return new DataException("Cannot read " + file + ": it is not UTF-8 (invalid byte at offset " + offset
                + "). Convert it first, e.g. iconv -f latin1 -t utf-8 FILE > FILE.utf8.");
    }
}
