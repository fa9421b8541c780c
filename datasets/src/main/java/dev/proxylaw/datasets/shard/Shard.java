package dev.proxylaw.datasets.shard;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.TokenSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One shard, memory-mapped: opening reads the Arrow footer, the schema metadata and the record
 * batch's buffer table (a few KB), checks them against each other and the file size, then maps the
 * token buffer and the document offsets. Tokens are never copied onto the heap until a window is read.
 */
public final class Shard implements TokenSource {
    private final Path file;
    private final ShardHeader header;
    private final ByteBuffer values;    // little-endian tokens of header.dtype
    private final ByteBuffer offsets;   // little-endian int32, documents + 1 of them

    private Shard(Path file, ShardHeader header, ByteBuffer values, ByteBuffer offsets) {
        this.file = file;
        this.header = header;
        this.values = values;
        this.offsets = offsets;
    }

    public static Shard open(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
             BufferAllocator alloc = new RootAllocator();
             ArrowFileReader reader = new ArrowFileReader(ch, alloc)) {
            long size = ch.size();
            List<ArrowBlock> blocks;
            Schema schema;
            try {
                blocks = reader.getRecordBlocks();
                schema = reader.getVectorSchemaRoot().getSchema();
            } catch (IOException | RuntimeException e) {
                throw bad(file, "it is not a complete Arrow IPC file (" + e.getMessage() + "); it may be truncated");
            }
            Object parsed = ShardHeader.fromMetadata(schema.getCustomMetadata());
            if (parsed instanceof String reason) {
                throw bad(file, reason);
            }
            ShardHeader h = (ShardHeader) parsed;
            if (!schema.equals(ShardWriter.schema(h))) {
                throw bad(file, "its schema " + schema + " is not the version-1 layout");
            }
            if (blocks.size() != 1) {
                throw bad(file, "it has " + blocks.size() + " record batches, a shard has exactly one");
            }
            ArrowBlock block = blocks.get(0);
            ch.position(block.getOffset());
            MessageMetadataResult msg = MessageSerializer.readMessage(new ReadChannel(ch));
            if (msg == null || msg.headerType() != MessageHeader.RecordBatch) {
                throw bad(file, "its record block does not hold a record batch");
            }
            RecordBatch rb = (RecordBatch) msg.getMessage().header(new RecordBatch());
            if (rb.compression() != null || rb.nodesLength() != 2 || rb.buffersLength() != 4) {
                throw bad(file, "its record batch is compressed or has an unexpected layout");
            }
            FieldNode docs = rb.nodes(0);
            FieldNode toks = rb.nodes(1);
            if (rb.length() != h.documents() || docs.length() != h.documents() || toks.length() != h.tokens()
                    || docs.nullCount() != 0 || toks.nullCount() != 0) {
                throw bad(file, "its header says " + h.documents() + " documents and " + h.tokens()
                        + " tokens, its data holds " + docs.length() + " and " + toks.length());
            }
            long body = block.getOffset() + block.getMetadataLength();
            Buffer off = rb.buffers(1);
            Buffer val = rb.buffers(3);
            long offLen = h.documents() == 0 ? 0 : 4 * (h.documents() + 1);
            long valLen = h.tokens() * h.dtype().width;
            if (off.length() < offLen || val.length() < valLen || body + block.getBodyLength() > size
                    || off.offset() + offLen > block.getBodyLength() || val.offset() + valLen > block.getBodyLength()) {
                throw bad(file, "its buffers run past the end of the file; it may be truncated");
            }
            ByteBuffer values = ch.map(FileChannel.MapMode.READ_ONLY, body + val.offset(), valLen).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer offsets = ch.map(FileChannel.MapMode.READ_ONLY, body + off.offset(), offLen).order(ByteOrder.LITTLE_ENDIAN);
            if (h.documents() > 0 && (offsets.getInt(0) != 0 || offsets.getInt((int) (4 * h.documents())) != h.tokens())) {
                throw bad(file, "its document offsets do not span its " + h.tokens() + " tokens");
            }
            return new Shard(file, h, values, offsets);
        } catch (java.nio.file.NoSuchFileException e) {
            throw bad(file, "it does not exist");
        } catch (IOException e) {
            throw bad(file, e.getMessage());
        }
    }

    private static DataException bad(Path file, String why) {
        return new DataException("Cannot read shard " + file + ": " + why + ". Re-run proxylaw tokenize.");
    }

    public Path file() {
        return file;
    }

    public ShardHeader header() {
        return header;
    }

    @Override
    public long size() {
        return header.tokens();
    }

    @Override
    public void read(long start, int[] dst, int off, int len) {
        if (start < 0 || len < 0 || start + len > header.tokens()) {
            throw new IndexOutOfBoundsException("Cannot read tokens [" + start + ", " + (start + len) + ") of shard "
                    + file + ": it holds " + header.tokens() + ".");
        }
        int s = (int) start;
        switch (header.dtype()) {
            case UINT8 -> {
                for (int i = 0; i < len; i++) {
                    dst[off + i] = values.get(s + i) & 0xff;
                }
            }
            case UINT16 -> {
                for (int i = 0; i < len; i++) {
                    dst[off + i] = values.getShort(2 * (s + i)) & 0xffff;
                }
            }
            case INT32 -> {
                for (int i = 0; i < len; i++) {
                    dst[off + i] = values.getInt(4 * (s + i));
                }
            }
        }
    }

    /** Document d's tokens, its end-of-text token included. */
    public int[] document(int d) {
        int from = offsets.getInt(4 * d);
        int to = offsets.getInt(4 * (d + 1));
        int[] out = new int[to - from];
        read(from, out, 0, out.length);
        return out;
    }
}
