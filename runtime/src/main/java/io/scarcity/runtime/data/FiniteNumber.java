package io.scarcity.runtime.data;

/**
 * A cell that must hold a finite number (a regression target, an ARFF numeric attribute), read the
 * same way by the CSV and ARFF sources and reported in the same words. The check runs on every cell,
 * so {@link #parse} signals a bad cell by NaN rather than by building a message; {@link #problem}
 * says what is wrong only once a cell has failed.
 */
final class FiniteNumber {
    private FiniteNumber() {
    }

    /** The value of {@code s}, or NaN if it is not a number or not finite. */
    static double parse(String s) {
        try {
            double v = DecimalParser.parse(s);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /**
     * What is wrong with a cell {@link #parse} rejected.
     *
     * @param subject the cell, e.g. "the target column 'y'"
     * @param nonNumericAdvice what follows the message for a non-numeric value (may be empty)
     * @param kind what must be finite, in the plural, e.g. "targets"
     */
    static String problem(String subject, String s, String nonNumericAdvice, String kind) {
        try {
            DecimalParser.parse(s);
        } catch (NumberFormatException e) {
            return subject + " has the non-numeric value '" + TableStream.shown(s) + "'" + nonNumericAdvice;
        }
        return subject + " is " + s + "; " + kind + " must be finite numbers";
    }
}
