package dev.proxylaw.datasets;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * OpenAI's byte-level BPE through jtokkit, which ships the vocabularies (no download). Documents are
 * encoded as ordinary text, like tiktoken's {@code encode_ordinary} and nanoGPT's data preparation.
 * Instances are immutable and safe to share between threads.
 */
public final class BpeTokenizer implements Tokenizer {
    private final String id;
    private final Encoding encoding;
    private final int vocabSize;
    private final int eot;

    BpeTokenizer(String id, EncodingType type, int vocabSize, int eot) {
        this.id = id;
        this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(type);
        this.vocabSize = vocabSize;
        this.eot = eot;
    }

    /** GPT-2's r50k_base: 50,256 merges + {@code <|endoftext|>} = 50256. */
    static BpeTokenizer gpt2() {
        return new BpeTokenizer("gpt2", EncodingType.R50K_BASE, 50257, 50256);
    }

    /** cl100k_base: tiktoken's n_vocab is 100277 (the last special token, endofprompt, is 100276); endoftext = 100257. */
    static BpeTokenizer cl100k() {
        return new BpeTokenizer("cl100k", EncodingType.CL100K_BASE, 100277, 100257);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eot() {
        return eot;
    }

    @Override
    public int[] encode(String text) {
        return encoding.encodeOrdinary(text).toArray();
    }

    /** The raw jtokkit encoder, for the benchmark's reference loop. */
    public Encoding encoding() {
        return encoding;
    }

    @Override
    public String decode(int[] tokens) {
        IntArrayList list = new IntArrayList(tokens.length);
        for (int t : tokens) {
            list.add(t);
        }
        return encoding.decode(list);
    }
}
