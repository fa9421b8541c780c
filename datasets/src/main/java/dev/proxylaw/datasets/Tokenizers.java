package dev.proxylaw.datasets;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Tokenizers by the id that shards and runs record. Loading a BPE vocabulary takes a moment, so each is built once. */
public final class Tokenizers {
    /** Every id, in the order the help text lists them. */
    public static final List<String> IDS = List.of("byte", "gpt2", "cl100k");
    private static final Map<String, Supplier<Tokenizer>> FACTORIES = Map.of(
            "byte", () -> ByteTokenizer.INSTANCE,
            "gpt2", BpeTokenizer::gpt2,
            "cl100k", BpeTokenizer::cl100k);
    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private Tokenizers() {
    }

    public static Tokenizer byId(String id) {
        Supplier<Tokenizer> f = id == null ? null : FACTORIES.get(id);
        if (f == null) {
            throw new DataException("Cannot use tokenizer '" + id + "': it is not known. Use one of: "
                    + String.join(", ", IDS) + ".");
        }
        return CACHE.computeIfAbsent(id, k -> f.get());
    }
}
