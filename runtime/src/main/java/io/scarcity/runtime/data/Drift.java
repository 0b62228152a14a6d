package io.scarcity.runtime.data;

/**
 * One concept change of a synthetic stream: from row {@code at} on, rows come from the next concept.
 * With {@code width} 0 the change is abrupt; with {@code width} W > 0 it is gradual, each row of
 * {@code [at, at + W)} coming from the new concept with a probability that rises linearly from about
 * 0 to about 1.
 */
public record Drift(long at, long width) {
    public Drift {
        if (at < 1) {
            throw new IllegalArgumentException("a drift must start at row 1 or later, got " + at);
        }
        if (width < 0) {
            throw new IllegalArgumentException("a drift's width must be >= 0, got " + width);
        }
    }

    /** First row entirely from the new concept. */
    public long end() {
        return at + width;
    }
}
