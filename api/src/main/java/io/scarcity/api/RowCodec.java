package io.scarcity.api;

/**
 * Compresses rows into short codes and back, e.g. a variational autoencoder's latent means and its
 * decoder. An expert that implements it offers it to its client's {@link Memory} ({@link Memory#useCodec}),
 * which may then store codes instead of rows. Codes of one codec are only meaningful to that codec, and
 * only until it learns more; a memory that keeps codes decodes them with the current codec.
 *
 * <p>Called from the client's thread only, like the expert itself.
 */
public interface RowCodec {
    /** Length of one row's code, >= 1; fixed for the codec's life. */
    int codeSize();

    /**
     * Encodes every row of a batch.
     *
     * @param batch never {@code null}
     * @return {@code batch.rows() x codeSize()} values, row-major, never {@code null}
     */
    double[] encode(Batch batch);

    /**
     * Decodes codes back into feature rows (an approximation of the encoded rows).
     *
     * @param codes {@code rows x codeSize()} values, row-major
     * @param rows number of rows
     * @return {@code rows x numFeatures} values, row-major, never {@code null}
     */
    double[] decode(double[] codes, int rows);
}
