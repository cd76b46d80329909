package org.cststream.source.labels;

import java.util.Map;

/**
 * One sample of behaviour traces on the session clock, as published to {@code cst.behaviour} (JSON,
 * keyed by session; see {@code docs/sources.md}).
 *
 * @param session session id, the same as the frames'
 * @param index 0-based sample number
 * @param timeNanos time of the sample on the session clock (the frames' acquisition clock), ns
 * @param values trace name to value (e.g. pupil, wheel, whisking), in trace order
 */
public record BehaviourSample(
        String session, long index, long timeNanos, Map<String, Double> values) {
    /** Copies the values, keeping their order. */
    public BehaviourSample {
        values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
    }
}
