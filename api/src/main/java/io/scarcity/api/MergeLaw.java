package io.scarcity.api;

import java.util.List;

/**
 * How states of one expert plugin merge: the law that gossip and the weight-sharing meta-learners
 * ({@link WeightSharingMetaLearner}) apply to it instead of the element-wise weighted mean
 * ({@link ExpertState#weightedMean}), declared by its factory ({@link ExpertFactory#mergeLaw}).
 *
 * <p>The law every implementation should meet: merging the states of clients that learned from parts of
 * one stream approaches the state of one learner that learned from all of it. Sufficient statistics are
 * pooled exactly (counts, means, covariances with the between-group term), subspaces are re-derived from
 * the pooled covariance rather than averaged, statistics that live in a client's own frame are carried
 * into a frame the peers share before they are pooled, and neural weights are averaged only when they
 * come from a common initialisation. The plugin test kit checks it
 * ({@code ExpertTestKit.assertMergeLaw}: two learners on IID halves of a stream, merged, against one
 * learner on the whole stream and against each half alone).
 *
 * <p>A law is a pure function: no side effects, safe to call concurrently, the same inputs giving the
 * same output bit for bit (peers on different machines compute it independently and must agree).
 */
@FunctionalInterface
public interface MergeLaw {
    /** The element-wise weighted mean, what states merge by when their factory declares no law. */
    MergeLaw MEAN = ExpertState::weightedMean;

    /**
     * Merges states of one expert instance.
     *
     * @param states at least one, all exported by this plugin with one configuration and schema (same
     *        array names and lengths), in a stable order
     * @param weights one finite weight {@code >= 0} per state (e.g. its samples); all zero means equal
     * @return the merged state, with the arrays' names and shapes of the inputs, never {@code null}
     */
    ExpertState merge(List<ExpertState> states, double[] weights);

    /**
     * Merges two states weighted by their samples, as a gossip pair does (both peers adopt the result).
     *
     * @param mine never {@code null}
     * @param theirs never {@code null}
     */
    default ExpertState merge(ExpertState mine, ExpertState theirs) {
        return merge(List.of(mine, theirs), new double[] {mine.samples(), theirs.samples()});
    }
}
