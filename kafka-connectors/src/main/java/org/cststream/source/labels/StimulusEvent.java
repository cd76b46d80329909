package org.cststream.source.labels;

import java.util.Map;

/**
 * One stimulus presentation or TTL event on the session clock, as published to {@code cst.stimulus}
 * (JSON, keyed by session; see {@code docs/sources.md}).
 *
 * @param session session id, the same as the frames'
 * @param kind {@code stimulus} or {@code ttl}
 * @param index 0-based position of the event in its log
 * @param onsetNanos onset on the session clock (the frames' acquisition clock), ns
 * @param durationNanos duration, ns (0 for an instantaneous event)
 * @param fields every other column of the log: numbers as numbers, text as text
 */
public record StimulusEvent(
        String session,
        String kind,
        long index,
        long onsetNanos,
        long durationNanos,
        Map<String, Object> fields) {
    /** Copies the fields, keeping their column order. */
    public StimulusEvent {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }
}
