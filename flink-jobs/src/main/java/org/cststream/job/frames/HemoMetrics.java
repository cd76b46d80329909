package org.cststream.job.frames;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cststream.metrics.MetricNames;

/**
 * The gauges of the hemodynamic correction, summed over the tiles this JVM holds: state bytes per
 * method, and implausible pixels per session, channel and method. Tiles report their latest value;
 * a gauge reads the sum.
 */
final class HemoMetrics {
    private static final Map<String, Map<String, Long>> STATE_BYTES = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, Long>> IMPLAUSIBLE = new ConcurrentHashMap<>();

    private HemoMetrics() {}

    /** Records the state size of one tile. */
    static void stateBytes(MeterRegistry registry, String method, String tileKey, long bytes) {
        Map<String, Long> byTile =
                STATE_BYTES.computeIfAbsent(
                        method,
                        m -> {
                            Map<String, Long> map = new ConcurrentHashMap<>();
                            Gauge.builder(MetricNames.HEMO_STATE_BYTES, map, HemoMetrics::sum)
                                    .description("bytes held in the hemodynamic correction's state")
                                    .baseUnit("bytes")
                                    .tag(MetricNames.TAG_METHOD, m)
                                    .register(registry);
                            return map;
                        });
        byTile.put(tileKey, bytes);
    }

    /** Records how many pixels of one tile have implausible coefficients. */
    static void implausible(
            MeterRegistry registry,
            String session,
            String channel,
            String method,
            int tile,
            long pixels) {
        String group = session + '\u0000' + channel + '\u0000' + method;
        Map<String, Long> byTile =
                IMPLAUSIBLE.computeIfAbsent(
                        group,
                        g -> {
                            Map<String, Long> map = new ConcurrentHashMap<>();
                            Gauge.builder(MetricNames.HEMO_IMPLAUSIBLE, map, HemoMetrics::sum)
                                    .description(
                                            "pixels whose hemodynamic coefficients are out of the"
                                                    + " plausible range")
                                    .tag(MetricNames.TAG_SESSION, session)
                                    .tag(MetricNames.TAG_CHANNEL, channel)
                                    .tag(MetricNames.TAG_METHOD, method)
                                    .register(registry);
                            return map;
                        });
        byTile.put(Integer.toString(tile), pixels);
    }

    /** Returns the summed state bytes of a method in this JVM (for benchmarks and tests). */
    static long stateBytes(String method) {
        Map<String, Long> m = STATE_BYTES.get(method);
        return m == null ? 0 : sum(m);
    }

    private static long sum(Map<String, Long> m) {
        long s = 0;
        for (long v : m.values()) {
            s += v;
        }
        return s;
    }
}
