package io.scarcity.plugins.forest;

/** The standard normal distribution function, for the class weights on each side of a candidate split. */
final class Gaussians {
    private Gaussians() {
    }

    /**
     * {@code P(Z <= z)} for a standard normal Z, from the error function approximation 7.1.26 of Abramowitz
     * and Stegun (absolute error below 1.5e-7, enough to rank candidate splits).
     */
    static double cdf(double z) {
        double x = Math.abs(z) / Math.sqrt(2);
        double t = 1 / (1 + 0.3275911 * x);
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double erf = 1 - poly * Math.exp(-x * x);
        return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
