package dev.proxylaw.datasets.shard;

import dev.proxylaw.datasets.TokenSource;
import java.util.Arrays;
import java.util.List;

/** Several token sources read as one stream: positions are longs, so the total may pass 2^31. */
public final class ConcatSource implements TokenSource {
    private final TokenSource[] parts;
    private final long[] starts;   // starts[i] = first position of parts[i]; starts[n] = size
    
    public ConcatSource(List<? extends TokenSource> parts) {
        this.parts = parts.toArray(new TokenSource[0]);
        this.starts = new long[this.parts.length + 1];
        for (int i = 0; i < this.parts.length; i++) {
            starts[i + 1] = starts[i] + this.parts[i].size();
        }
    }

    @Override
    public long size() {
        return starts[parts.length];
    }

    @Override
    public void read(long start, int[] dst, int off, int len) {
        if (start < 0 || len < 0 || start + len > size()) {
            throw new IndexOutOfBoundsException("Cannot read tokens [" + start + ", " + (start + len) + "): the stream holds "
                    + size() + ".");
        }
        int i = Arrays.binarySearch(starts, start);
        i = i >= 0 ? i : -i - 2;
        while (len > 0) {
            while (starts[i + 1] <= start) {
                i++;   // skip empty parts
            }
            int n = (int) Math.min(len, starts[i + 1] - start);
            parts[i].read(start - starts[i], dst, off, n);
            start += n;
            off += n;
            len -= n;
        }
    }
}
