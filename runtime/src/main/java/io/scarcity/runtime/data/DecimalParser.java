package io.scarcity.runtime.data;

/**
 * {@link Double#parseDouble} with a fast path for the short decimals that fill most CSV files
 * ({@code 5.1}, {@code -0.25}, {@code 3e-4}). With at most 15 digits the digits form an exact
 * double, and so does 10^k for k up to 22; one IEEE multiplication or division of two exact values
 * is correctly rounded (Clinger, 1990), so the result is bit-identical to the JDK's. Anything else
 * goes to the JDK.
 */
final class DecimalParser {
    private static final int MAX_DIGITS = 15;
    private static final double[] POWERS = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POWERS.length; i++) {
            POWERS[i] = p;
            p *= 10;
        }
    }

    private DecimalParser() {
    }

    /**
     * Same result and same exceptions as {@link Double#parseDouble}.
     *
     * @throws NumberFormatException if {@code s} is not a number
     */
    static double parse(String s) {
        int n = s.length();
        int i = 0;
        boolean negative = false;
        if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int scale = 0;
        boolean point = false;
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                if (++digits > MAX_DIGITS) {
                    return Double.parseDouble(s);
                }
                mantissa = mantissa * 10 + (c - '0');
                if (point) {
                    scale--;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                break;
            }
        }
        if (digits == 0) {
            return Double.parseDouble(s);
        }
        if (i < n) {
            char c = s.charAt(i);
            if (c != 'e' && c != 'E') {
                return Double.parseDouble(s);
            }
            i++;
            boolean negativeExponent = false;
            if (i < n && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                negativeExponent = s.charAt(i) == '-';
                i++;
            }
            int exponent = 0;
            int exponentDigits = 0;
            for (; i < n; i++) {
                c = s.charAt(i);
                if (c < '0' || c > '9' || ++exponentDigits > 3) {
                    return Double.parseDouble(s);
                }
                exponent = exponent * 10 + (c - '0');
            }
            if (exponentDigits == 0) {
                return Double.parseDouble(s);
            }
            scale += negativeExponent ? -exponent : exponent;
        }
        if (scale < -22 || scale > 22) {
            return Double.parseDouble(s);
        }
        double v = (double) mantissa;
        v = scale < 0 ? v / POWERS[-scale] : v * POWERS[scale];
        return negative ? -v : v;
    }
}
