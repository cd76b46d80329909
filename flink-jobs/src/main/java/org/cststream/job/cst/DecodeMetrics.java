package org.cststream.job.cst;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.cststream.metrics.MetricNames;

/**
 * The decoding metrics of this JVM: the latest decoded value and matched label per session, channel
 * and target (gauges), the squared error of every window matched with a streamed label (its mean is
 * the live MSE), and the windows no label could be matched to.
 */
final class DecodeMetrics {
    private static final Map<String, AtomicLong> VALUES = new ConcurrentHashMap<>();
    private static final Map<String, AtomicLong> LABELS = new ConcurrentHashMap<>();

    private DecodeMetrics() {}

    /** Sets the latest decoded value of a session's channel and target. */
    static void value(MeterRegistry registry, DecodedValue v) {
        gauge(VALUES, MetricNames.DECODED_VALUE, "latest value decoded from a window", registry, v)
                .set(Double.doubleToRawLongBits(v.value));
    }

    /** Records a window matched with its streamed label. */
    static void matched(MeterRegistry registry, DecodedValue v) {
        gauge(
                        LABELS,
                        MetricNames.DECODED_LABEL,
                        "streamed label at the latest matched window",
                        registry,
                        v)
                .set(Double.doubleToRawLongBits(v.label));
        double e = v.value - v.label;
        DistributionSummary.builder(MetricNames.DECODED_SQUARED_ERROR)
                .description("squared error of a decoded window against its streamed label")
                .tag(MetricNames.TAG_SESSION, v.sessionId)
                .tag(MetricNames.TAG_CHANNEL, v.channel)
                .tag(MetricNames.TAG_TARGET, v.target)
                .register(registry)
                .record(e * e);
    }

    /** Counts a window no streamed label was matched to. */
    static void unmatched(MeterRegistry registry, DecodedValue v, String reason) {
        Counter.builder(MetricNames.DECODED_UNMATCHED)
                .tag(MetricNames.TAG_SESSION, v.sessionId)
                .tag(MetricNames.TAG_TARGET, v.target)
                .tag(MetricNames.TAG_REASON, reason)
                .register(registry)
                .increment();
    }

    private static AtomicLong gauge(
            Map<String, AtomicLong> map,
            String name,
            String description,
            MeterRegistry registry,
            DecodedValue v) {
        String key = v.sessionId + '\u0000' + v.channel + '\u0000' + v.target;
        return map.computeIfAbsent(
                key,
                k -> {
                    AtomicLong bits = new AtomicLong(Double.doubleToRawLongBits(Double.NaN));
                    Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get()))
                            .description(description)
                            .tag(MetricNames.TAG_SESSION, v.sessionId)
                            .tag(MetricNames.TAG_CHANNEL, v.channel)
                            .tag(MetricNames.TAG_TARGET, v.target)
                            .register(registry);
                    return bits;
                });
    }
}
