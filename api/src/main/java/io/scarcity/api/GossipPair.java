package io.scarcity.api;

import java.util.Objects;

/** Two distinct peers that exchange expert states in a round. */
public record GossipPair(String a, String b) {
    public GossipPair {
        Objects.requireNonNull(a, "a is null");
        Objects.requireNonNull(b, "b is null");
        if (a.equals(b)) {
            throw new IllegalArgumentException("a peer cannot gossip with itself: " + a);
        }
    }
}
