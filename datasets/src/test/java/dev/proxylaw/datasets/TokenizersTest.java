package dev.proxylaw.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TokenizersTest {
    static final String UNICODE = "naïve café — Zürich, 東京, emoji 🙂 and <|endoftext|> as plain text\r\n\ttabs";

    @ParameterizedTest
    @ValueSource(strings = {"byte", "gpt2", "cl100k"})
    void realTextAndUnicodeRoundTrip(String id) {
        Tokenizer t = Tokenizers.byId(id);
        assertEquals(id, t.id());
        for (String text : new String[] {Fixtures.persuasion(), UNICODE, ""}) {
            int[] tokens = t.encode(text);
            assertEquals(text, t.decode(tokens));
            assertTrue(Arrays.stream(tokens).allMatch(x -> x >= 0 && x < t.vocabSize() && x != t.eot()),
                    "ordinary text never yields the end-of-text id");
        }
    }

    @Test
    void bpeIdsMatchTiktoken() {
        // tiktoken: get_encoding("gpt2").encode("Hello world") == [15496, 995]; cl100k_base: [9906, 1917]
        assertArrayEquals(new int[] {15496, 995}, Tokenizers.byId("gpt2").encode("Hello world"));
        assertArrayEquals(new int[] {9906, 1917}, Tokenizers.byId("cl100k").encode("Hello world"));
        assertEquals(50257, Tokenizers.byId("gpt2").vocabSize());
        assertEquals(100277, Tokenizers.byId("cl100k").vocabSize());
        assertEquals(256, Tokenizers.byId("byte").vocabSize());
        assertEquals(-1, Tokenizers.byId("byte").eot());
        assertEquals("<|endoftext|>", Tokenizers.byId("gpt2").decode(new int[] {Tokenizers.byId("gpt2").eot()}));
        assertEquals("<|endoftext|>", Tokenizers.byId("cl100k").decode(new int[] {Tokenizers.byId("cl100k").eot()}));
        // BPE compresses English about 4x against bytes
        int bytes = Tokenizers.byId("byte").encode(Fixtures.persuasion()).length;
        int bpe = Tokenizers.byId("gpt2").encode(Fixtures.persuasion()).length;
        assertTrue(bytes > 3.5 * bpe && bytes < 5 * bpe, bytes + " bytes vs " + bpe + " gpt2 tokens");
    }

    @Test
    void tokenizersAreBuiltOnceAndUnknownIdsSayWhatExists() {
        assertSame(Tokenizers.byId("gpt2"), Tokenizers.byId("gpt2"));
        String msg = assertThrows(DataException.class, () -> Tokenizers.byId("gpt-4")).getMessage();
        assertEquals("Cannot use tokenizer 'gpt-4': it is not known. Use one of: byte, gpt2, cl100k.", msg);
    }
}
