package dev.proxylaw.datasets.shard;

import dev.proxylaw.datasets.Tokenizer;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Builds one shard in memory, documents in the order they are added, then writes it as an Arrow IPC
 * file. Tokens are kept as little-endian bytes of the final dtype, so a shard costs its file size in
 * heap while it is built (the caller bounds that by the input it feeds into one shard).
 */
public final class ShardWriter {
    /** Arrow list offsets are int32, and a memory map is at most 2 GiB: a shard holds fewer tokens than this. */
    public static final long MAX_TOKENS = (1L << 31) - 1;

    private final String tokenizer;
    private final int vocabSize;
    private final int eot;
    private final String split;
    private final Dtype dtype;
    private byte[] data = new byte[1 << 16];
    private int[] offsets = new int[1 << 10];   // offsets[d] = first token of document d; offsets[docs] = tokens
    private long tokens;
    private int documents;

    public ShardWriter(Tokenizer tok, String split) {
        this(tok.id(), tok.vocabSize(), tok.eot(), split);
    }

    public ShardWriter(String tokenizer, int vocabSize, int eot, String split) {
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.eot = eot;
        this.split = split;
        this.dtype = Dtype.forVocab(vocabSize);
    }

    /** Appends a document: its tokens, then the end-of-text token when the tokenizer has one. */
    public void add(int[] doc) {
        long after = tokens + doc.length + (eot >= 0 ? 1 : 0);
        if (after > MAX_TOKENS) {
            throw new IllegalStateException("Cannot add a document to shard: it would hold " + after + " tokens, over "
                    + MAX_TOKENS + ". Feed less input into one shard.");
        }
        int w = dtype.width;
        if ((long) data.length < after * w) {
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(after * w, 2L * data.length)));
        }
        int p = (int) tokens * w;
        for (int t : doc) {
            if (t < 0 || t >= vocabSize) {
                throw new IllegalArgumentException("Cannot add token " + t + ": outside the vocabulary [0, " + vocabSize + ").");
            }
            p = put(p, t, w);
        }
        if (eot >= 0) {
            put(p, eot, w);
        }
        if (documents + 2 > offsets.length) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[documents] = (int) tokens;
        tokens = after;
        documents++;
        offsets[documents] = (int) tokens;
    }

    private int put(int p, int t, int w) {
        data[p] = (byte) t;
        if (w >= 2) {
            data[p + 1] = (byte) (t >>> 8);
        }
        if (w == 4) {
            data[p + 2] = (byte) (t >>> 16);
            data[p + 3] = (byte) (t >>> 24);
        }
        return p + w;
    }

    public long tokens() {
        return tokens;
    }

    public int documents() {
        return documents;
    }

    public ShardHeader header() {
        return new ShardHeader(ShardHeader.VERSION, dtype, tokens, documents, tokenizer, vocabSize, eot, split);
    }

    /** The Arrow schema every shard of this tokenizer has: {@code tokens: list<dtype not null> not null}. */
    public static Schema schema(ShardHeader h) {
        Field item = new Field("item", new FieldType(false, h.dtype().arrowType, null), null);
        Field column = new Field(ShardHeader.COLUMN, new FieldType(false, ArrowType.List.INSTANCE, null), List.of(item));
        return new Schema(List.of(column), h.toMetadata());
    }

    /**
     * Writes the shard as one record batch; the same documents always give the same bytes. Neither
     * column has nulls, so both validity bitmaps are written empty, as the Arrow format allows when a
     * node's null count is 0 (readers treat every value as valid): a bitmap would cost 1 bit per token,
     * 6% of a uint16 shard.
     */
    public void writeTo(WritableByteChannel out) throws IOException {
        ShardHeader h = header();
        int docs = documents;
        int n = (int) tokens;
        try (BufferAllocator alloc = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema(h), alloc)) {
            ArrowBuf none = alloc.buffer(0);
            ArrowBuf listOffsets = alloc.buffer(4L * (docs + 1));
            for (int d = 0; d <= docs; d++) {
                listOffsets.setInt(4L * d, offsets[d]);
            }
            listOffsets.writerIndex(docs == 0 ? 0 : 4L * (docs + 1));
            long valueBytes = (long) n * dtype.width;
            ArrowBuf values = alloc.buffer(Math.max(1, valueBytes));
            values.setBytes(0, data, 0, valueBytes);
            values.writerIndex(valueBytes);
            List<ArrowBuf> bufs = List.of(none, listOffsets, none, values);
            try (ArrowRecordBatch batch = new ArrowRecordBatch(docs,
                    List.of(new ArrowFieldNode(docs, 0), new ArrowFieldNode(n, 0)), bufs);
                 BatchWriter w = new BatchWriter(root, out)) {
                w.start();
                w.write(batch);
                w.end();
            } finally {
                none.close();
                listOffsets.close();
                values.close();
            }
        }
    }

    /** Arrow's file writer, fed a record batch we built instead of one unloaded from vectors. */
    private static final class BatchWriter extends ArrowFileWriter {
        BatchWriter(VectorSchemaRoot root, WritableByteChannel out) {
            super(root, null, out);
        }

        void write(ArrowRecordBatch batch) throws IOException {
            writeRecordBatch(batch);
        }
    }
}
