package io.scarcity.plugins.randompairs;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inOpenClosed;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.Objects;

/**
 * Validated options of random-pairs gossip.
 *
 * @param every gossip on rounds that are a multiple of this, >= 1
 * @param fraction fraction of the peers (rounded up) taking part each time, in (0, 1]
 * @param experts how many of a client's most active experts are exchanged, >= 0; 0 = all gossipable
 * @param sameDomain whether peers are only paired within their domain
 * @param exchanges how many times per gossip round the peers are shuffled and paired, >= 1: each time a
 *        client merges with another random peer, in sequence, so what it adopted from the first reaches the
 *        next (information spreads as in {@code exchanges} rounds of single pairs, for as many times the bytes);
 *        {@link #AUTO} ({@code exchanges: auto}) pairs each group of {@code n} peers {@code ceil(log2 n)} times, as
 *        many exchanges as a state needs to be able to reach every peer of the group within the round;
 *        {@link #ADAPTIVE} ({@code exchanges: adaptive}, the default): the first exchange pairs every peer, the
 *        others only the {@code g} peers whose merged experts hold at least half of their mixture's weight against
 *        their personal twins ({@link io.scarcity.api.StandardSignals#FEDERATION_SHARED_WEIGHT} at least 0.5),
 *        {@code min(ceil(log2 n) - 1, ceil(log2 g))} of them
 */
record Options(int every, double fraction, int experts, boolean sameDomain, int exchanges) {
    static final int DEFAULT_EVERY = 1;
    static final double DEFAULT_FRACTION = 1.0;
    static final int DEFAULT_EXPERTS = 3;
    static final boolean DEFAULT_SAME_DOMAIN = false;
    /** {@code exchanges: auto}: {@code ceil(log2 n)} exchanges for a group of {@code n} peers. */
    static final int AUTO = 0;
    /** {@code exchanges: adaptive}: the exchanges after the first only among the peers merging pays (see above). */
    static final int ADAPTIVE = -1;
    static final int DEFAULT_EXCHANGES = ADAPTIVE;

    Options {
        atLeast("every", every, 1);
        inOpenClosed("fraction", fraction, 0, 1);
        atLeast("experts", experts, 0);
        if (exchanges != AUTO && exchanges != ADAPTIVE) {
            atLeast("exchanges", exchanges, 1);
        }
    }

    /** The exchanges a gossip round makes in a group of {@code peers} peers. */
    int exchangesFor(int peers) {
        if (exchanges > 0) {
            return exchanges;
        }
        return peers <= 2 ? 1 : 32 - Integer.numberOfLeadingZeros(peers - 1);
    }

    /** Options with the default exchanges ({@code adaptive}). */
    Options(int every, double fraction, int experts, boolean sameDomain) {
        this(every, fraction, experts, sameDomain, DEFAULT_EXCHANGES);
    }

    static Options defaults() {
        return new Options(DEFAULT_EVERY, DEFAULT_FRACTION, DEFAULT_EXPERTS, DEFAULT_SAME_DOMAIN);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int every = config.getInt("every", DEFAULT_EVERY);
        double fraction = config.getDouble("fraction", DEFAULT_FRACTION);
        int experts = config.getInt("experts", DEFAULT_EXPERTS);
        boolean sameDomain = config.getBoolean("sameDomain", DEFAULT_SAME_DOMAIN);
        int exchanges = exchanges(config);
        try {
            return new Options(every, fraction, experts, sameDomain, exchanges);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }

    /** {@code exchanges}: a whole number >= 1, {@code auto} ({@link #AUTO}) or {@code adaptive} ({@link #ADAPTIVE}). */
    private static int exchanges(PluginConfig config) {
        String expected = "expected a whole number >= 1, auto (ceil(log2 n) exchanges for a group of n peers) or adaptive"
                + " (the default: one exchange for everyone, the others only among the peers whose merged experts hold at least"
                + " half of their mixture's weight against their own twins), got ";
        if (!config.has("exchanges")) {
            return DEFAULT_EXCHANGES;
        }
        int exchanges;
        try {
            exchanges = config.getInt("exchanges", DEFAULT_EXCHANGES);
        } catch (io.scarcity.api.ConfigException notANumber) {
            String text;
            try {
                text = config.getString("exchanges", "");
            } catch (io.scarcity.api.ConfigException notText) {
                throw config.invalid("exchanges", expected + "a list, a mapping or a boolean");
            }
            if (text.equalsIgnoreCase("auto")) {
                return AUTO;
            }
            if (text.equalsIgnoreCase("adaptive")) {
                return ADAPTIVE;
            }
            throw config.invalid("exchanges", expected + "'" + text + "'");
        }
        if (exchanges < 1) {
            throw config.invalid("exchanges", expected + exchanges);
        }
        return exchanges;
    }
}
