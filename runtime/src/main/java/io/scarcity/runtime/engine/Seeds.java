package io.scarcity.runtime.engine;

/**
 * Derives independent seeds for components from the run seed and a stable name, so that each
 * component's randomness depends only on (seed, name) and never on thread scheduling.
 */
final class Seeds {
    private Seeds() {
    }

    /** SplitMix64 finalizer over the run seed mixed with the name's (specified, stable) String hash. */
    static long derive(long runSeed, String name) {
        long z = runSeed * 0x9E3779B97F4A7C15L + name.hashCode() * 0xBF58476D1CE4E5B9L + name.length();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
