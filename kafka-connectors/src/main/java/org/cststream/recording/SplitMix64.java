package org.cststream.recording;

/**
 * SplitMix64 (Steele, Lea and Flood 2014): a small, fast generator whose sequence is fixed here for
 * all time, so generated recordings are the same on every JVM and release. Not thread-safe; make
 * one per stream of numbers.
 */
public final class SplitMix64 {
    private long state;

    /**
     * @param seed any value
     */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** Returns the finaliser of SplitMix64 applied to {@code z}: a good 64-bit hash. */
    public static long scramble(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns a seed derived from two values, e.g. a session seed and a frame index. */
    public static long mix(long a, long b) {
        return scramble(a * 0x9E3779B97F4A7C15L + scramble(b));
    }

    /** Returns the next 64 random bits. */
    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return scramble(state);
    }

    /** Returns a uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Returns a standard normal deviate (Box-Muller, one of the pair). */
    public double nextGaussian() {
        double r = Math.sqrt(-2 * Math.log(1 - nextDouble()));
        return r * Math.cos(2 * Math.PI * nextDouble());
    }
}
