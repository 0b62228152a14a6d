package io.scarcity.plugins.geometry;

import io.scarcity.api.Batch;
import io.scarcity.api.Prediction;
import io.scarcity.api.StateReader;
import io.scarcity.api.StateWriter;
import java.io.IOException;
import java.util.Map;

/**
 * A light supervised learner on the {@code k} projected coordinates. Its coordinates are those of the
 * current principal basis; when the basis moves, {@link #transport} maps the learned state to the new
 * coordinates, so that a rotation (or sign flip, or swap) of the basis does not invalidate it.
 */
interface ProjectionLearner {
    /**
     * Learns from the labelled rows of a batch.
     *
     * @param projections {@code rows x stride}; the first {@code k} of each row are the coordinates
     * @param rate the per-row forgetting rate
     */
    void learn(Batch batch, double[] projections, int stride, double rate);

    /** Predicts every row from its coordinates ({@code rows x stride}, the first {@code k} used). */
    Prediction predict(int rows, double[] projections, int stride, double[] eigenvalues);

    /**
     * Maps the state to new coordinates {@code p' = T p} ({@code T}: {@code k x k}, {@code U_new U_old^T});
     * {@code eigenvalues} are the new variances along the directions, for the part of the new coordinates
     * the old ones did not cover ({@code I - T T^T}).
     */
    void transport(double[] t, double[] eigenvalues);

    /** Names of the gossiped arrays, in a fixed order. */
    String[] names();

    /** Live arrays in the order of {@link #names()}, derived ones refreshed first; do not modify. */
    double[][] views();

    /** Adopts merged arrays (checked by the caller for presence, length and finiteness). */
    void merge(Map<String, double[]> merged);

    void save(StateWriter out) throws IOException;

    void restore(StateReader in) throws IOException;
}
