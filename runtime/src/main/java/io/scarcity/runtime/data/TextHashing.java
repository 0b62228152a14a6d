package io.scarcity.runtime.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a text field into a fixed number of numeric features by the hashing trick (Weinberger et al., "Feature
 * hashing for large scale multitask learning", ICML 2009): no vocabulary to learn or share, so every client of a
 * federation maps the same word to the same feature without exchanging anything, and a word never seen before
 * still lands somewhere.
 *
 * <ul>
 * <li><b>Tokens</b>: maximal runs of letters and digits ({@link Character#isLetterOrDigit(char)}), lower-cased; runs
 *     shorter than {@value #MIN_TOKEN} or longer than {@value #MAX_TOKEN} characters (encoded blobs) are skipped.</li>
 * <li><b>Hash</b>: 32-bit FNV-1a of the token's characters, finished by MurmurHash3's avalanche step; its low 31 bits
 *     pick the bucket, its top bit the sign (+1 or -1), so that colliding tokens cancel out on average instead of
 *     adding up.</li>
 * <li><b>Values</b>: each bucket's signed count {@code v} becomes {@code sign(v) log(1 + |v|)}, then the text's
 *     buckets are scaled to unit Euclidean length (a text without tokens is all zeros), so a long text does not
 *     weigh more than a short one.</li>
 * </ul>
 *
 * <p>The same text gives the same features on every machine and JVM. Not thread-safe: one per reader.
 */
final class TextHashing {
    static final int MIN_TOKEN = 2;
    static final int MAX_TOKEN = 30;
    /** The most buckets a text column may have. */
    static final int MAX_BUCKETS = 1 << 16;

    private static final int FNV_OFFSET = 0x811c9dc5;
    private static final int FNV_PRIME = 0x01000193;

    private final int buckets;

    TextHashing(int buckets) {
        if (buckets < 1 || buckets > MAX_BUCKETS) {
            throw new IllegalArgumentException("buckets must be in [1, " + MAX_BUCKETS + "], got " + buckets);
        }
        this.buckets = buckets;
    }

    int buckets() {
        return buckets;
    }

    /** The feature names of a text column: {@code column#0} to {@code column#(buckets - 1)}. */
    List<String> names(String column) {
        List<String> names = new ArrayList<>(buckets);
        for (int b = 0; b < buckets; b++) {
            names.add(column + "#" + b);
        }
        return names;
    }

    /** Writes the features of {@code text} to {@code x[offset]} to {@code x[offset + buckets - 1]}. */
    void write(CharSequence text, double[] x, int offset) {
        Arrays.fill(x, offset, offset + buckets, 0.0);
        int hash = FNV_OFFSET;
        int length = 0;
        int n = text.length();
        for (int i = 0; i <= n; i++) {
            char c = i < n ? text.charAt(i) : ' ';
            if (Character.isLetterOrDigit(c)) {
                hash = (hash ^ Character.toLowerCase(c)) * FNV_PRIME;
                length++;
            } else {
                if (length >= MIN_TOKEN && length <= MAX_TOKEN) {
                    int h = avalanche(hash);
                    x[offset + (h & 0x7fffffff) % buckets] += h < 0 ? -1 : 1;
                }
                hash = FNV_OFFSET;
                length = 0;
            }
        }
        double squares = 0;
        for (int b = offset; b < offset + buckets; b++) {
            double v = x[b];
            x[b] = Math.signum(v) * Math.log1p(Math.abs(v));
            squares += x[b] * x[b];
        }
        if (squares > 0) {
            double scale = 1 / Math.sqrt(squares);
            for (int b = offset; b < offset + buckets; b++) {
                x[b] *= scale;
            }
        }
    }

    /** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
    private static int avalanche(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
