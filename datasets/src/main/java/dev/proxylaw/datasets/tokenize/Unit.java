package dev.proxylaw.datasets.tokenize;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One task's input: consecutive byte ranges of the sorted input files, about {@code unitBytes} in all.
 * Unit k becomes shards train-k and val-k (renumbered without gaps at commit). The plan depends only
 * on the file list and sizes, never on the cluster, so re-running gives the same shards.
 */
public record Unit(int index, List<Segment> segments) implements Serializable {
    /**
     * Bytes [start, end) of one file; for an unsplittable format (Parquet) always the whole file.
     */
    public record Segment(String path, long start, long end) implements Serializable {
    }

    /** A file to read and its size. */
    public record FileInput(String path, long bytes) implements Serializable {
    }

    public Unit {
        segments = List.copyOf(segments);
    }

    public long bytes() {
        return segments.stream().mapToLong(s -> s.end() - s.start()).sum();
    }

    /**
     * Cuts the files, in the given order, into units of about {@code unitBytes}: a unit holds several
     * small files, or a range of a large one when {@code splittable} (text and JSONL, cut at lines).
     */
    public static List<Unit> plan(List<FileInput> files, long unitBytes, boolean splittable) {
        if (unitBytes < 1) {
            throw new IllegalArgumentException("Cannot plan units of " + unitBytes + " bytes.");
        }
        List<Unit> units = new ArrayList<>();
        List<Segment> current = new ArrayList<>();
        long room = unitBytes;
        for (FileInput f : files) {
            if (f.bytes() == 0) {
                continue;
            }
            long pos = 0;
            while (pos < f.bytes()) {
                if (room <= 0) {
                    units.add(new Unit(units.size(), current));
                    current = new ArrayList<>();
                    room = unitBytes;
                }
                long take = splittable ? Math.min(room, f.bytes() - pos) : f.bytes();
                current.add(new Segment(f.path(), pos, pos + take));
                pos += take;
                room -= take;
            }
        }
        if (!current.isEmpty()) {
            units.add(new Unit(units.size(), current));
        }
        return units;
    }
}
