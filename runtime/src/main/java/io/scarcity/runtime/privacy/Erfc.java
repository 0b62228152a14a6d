package io.scarcity.runtime.privacy;

/**
 * The complementary error function in log space, to double precision, without underflow for large arguments
 * (the accountant needs {@code log erfc(x)} for {@code x} up to several hundred). {@code erfc(x) = Q(1/2, x²)} for
 * {@code x >= 0}, the regularised upper incomplete gamma function, taken from its power series below {@code x² = 1.5}
 * and from its continued fraction (modified Lentz) above, where its logarithm is formed without ever computing
 * {@code e^{-x²}}; {@code erfc(-x) = 2 - erfc(x)}.
 */
final class Erfc {
    private static final double LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
    private static final double TINY = 1e-300;

    private Erfc() {
    }

    static double logErfc(double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        if (x < 0) {
            return Math.log(2 - Math.exp(logErfcPositive(-x)));
        }
        return logErfcPositive(x);
    }

    static double erfc(double x) {
        return Math.exp(logErfc(x));
    }

    private static double logErfcPositive(double x) {
        double z = x * x;
        if (z < 1.5) {
            return Math.log1p(-lowerRegularised(z));
        }
        return logUpperRegularised(z);
    }

    /** P(1/2, z) = erf(sqrt z), by its series; for z < 1.5. */
    private static double lowerRegularised(double z) {
        double a = 0.5;
        double term = 1 / a;
        double sum = term;
        for (int n = 1; n < 500; n++) {
            term *= z / (a + n);
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * 1e-17) {
                break;
            }
        }
        // e^-z z^a / Gamma(a), Gamma(1/2) = sqrt(pi)
        return sum * Math.exp(-z + a * Math.log(z) - LOG_SQRT_PI);
    }

    /** log Q(1/2, z) by its continued fraction; for z >= 1.5. */
    private static double logUpperRegularised(double z) {
        double a = 0.5;
        double b = z + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 10_000; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return -z + a * Math.log(z) - LOG_SQRT_PI + Math.log(h);
    }
}
