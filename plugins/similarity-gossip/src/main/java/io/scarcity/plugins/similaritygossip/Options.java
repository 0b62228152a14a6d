package io.scarcity.plugins.similaritygossip;

import static io.scarcity.api.OptionChecks.atLeast;
import static io.scarcity.api.OptionChecks.inClosed;
import static io.scarcity.api.OptionChecks.notNull;

import io.scarcity.api.InvalidOptionException;
import io.scarcity.api.PluginConfig;
import java.util.List;
import java.util.Objects;

/**
 * Validated options of similarity gossip.
 *
 * @param every gossip on rounds that are a multiple of this, >= 1
 * @param experts how many of a client's most active experts are exchanged, >= 0; 0 = all gossipable
 * @param sameDomain whether only peers of the same domain may pair
 * @param minSimilarity a pair whose similarity is below this is never formed (its peers may wait), in [-1, 1];
 *        -1 = every signed peer pairs if it can
 * @param signalPrefix prefix of the signature's signals, {@code prefix + 0}, {@code prefix + 1}, ...; non-blank
 * @param fallback what peers without a signature do
 */
record Options(int every, int experts, boolean sameDomain, double minSimilarity, String signalPrefix, Fallback fallback) {
    static final int DEFAULT_EVERY = 1;
    static final int DEFAULT_EXPERTS = 3;
    static final boolean DEFAULT_SAME_DOMAIN = false;
    static final double DEFAULT_MIN_SIMILARITY = -1.0;
    /** What the peer-selection expert publishes. */
    static final String DEFAULT_SIGNAL_PREFIX = "peer.sig.";
    static final Fallback DEFAULT_FALLBACK = Fallback.RANDOM;

    /** What peers without a (comparable) signature do. */
    enum Fallback {
        /** Pair at random among themselves (within their domain with {@code sameDomain}). */
        RANDOM,
        /** Wait until they publish a signature. */
        WAIT
    }

    Options {
        atLeast("every", every, 1);
        atLeast("experts", experts, 0);
        inClosed("minSimilarity", minSimilarity, -1, 1);
        if (signalPrefix == null || signalPrefix.isBlank()) {
            throw new InvalidOptionException("signalPrefix", "must name the signature's signals, e.g. peer.sig.");
        }
        notNull("fallback", fallback, Fallback.class);
    }

    static Options defaults() {
        return new Options(DEFAULT_EVERY, DEFAULT_EXPERTS, DEFAULT_SAME_DOMAIN, DEFAULT_MIN_SIMILARITY,
                DEFAULT_SIGNAL_PREFIX, DEFAULT_FALLBACK);
    }

    /** Reads the options from a plugin's configuration; a bad value fails with the key's full path. */
    static Options from(PluginConfig config) {
        Objects.requireNonNull(config, "config is null");
        int every = config.getInt("every", DEFAULT_EVERY);
        int experts = config.getInt("experts", DEFAULT_EXPERTS);
        boolean sameDomain = config.getBoolean("sameDomain", DEFAULT_SAME_DOMAIN);
        double minSimilarity = config.getDouble("minSimilarity", DEFAULT_MIN_SIMILARITY);
        String signalPrefix = config.getString("signalPrefix", DEFAULT_SIGNAL_PREFIX);
        String fallback = config.getChoice("fallback", "random", List.of("random", "wait"));
        try {
            return new Options(every, experts, sameDomain, minSimilarity, signalPrefix,
                    fallback.equals("random") ? Fallback.RANDOM : Fallback.WAIT);
        } catch (InvalidOptionException e) {
            throw config.invalid(e);
        }
    }
}
