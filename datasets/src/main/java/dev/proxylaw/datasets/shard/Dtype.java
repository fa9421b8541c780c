package dev.proxylaw.datasets.shard;

import org.apache.arrow.vector.types.pojo.ArrowType;

/** How a shard stores a token: the narrowest unsigned type that holds the vocabulary (int32 beyond 65,536). */
public enum Dtype {
    UINT8(1, new ArrowType.Int(8, false)),
    UINT16(2, new ArrowType.Int(16, false)),
    INT32(4, new ArrowType.Int(32, true));

    final int width;
    final ArrowType arrowType;

    Dtype(int width, ArrowType arrowType) {
        this.width = width;
        this.arrowType = arrowType;
    }

    public static Dtype forVocab(int vocabSize) {
        return vocabSize <= 1 << 8 ? UINT8 : vocabSize <= 1 << 16 ? UINT16 : INT32;
    }

    /** The name in headers and manifests: uint8, uint16, int32 (numpy's and Arrow's spelling). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public int width() {
        return width;
    }

    static Dtype byId(String id) {
        for (Dtype d : values()) {
            if (d.id().equals(id)) {
                return d;
            }
        }
        return null;
    }
}
