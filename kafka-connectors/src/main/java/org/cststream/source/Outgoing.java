package org.cststream.source;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Kafka record on its way out of a live source: a position in the source's order, the key (the
 * session), the encoded frame record, and whether it marks the end of a session.
 *
 * <p>The sequence number orders everything a publisher sends, across restarts: the spool stores it,
 * and a record is sent only after every record of a lower number.
 */
final class Outgoing {
    /** Position in the publisher's order. */
    final long seq;

    /** Kafka key: the session id. */
    final String key;

    /** Key as UTF-8, as stored in the spool. */
    final byte[] keyBytes;

    /** The encoded frame record. */
    final byte[] value;

    /** True for an end-of-session marker (no pixels; never counted as a frame). */
    final boolean marker;

    /** Called once when the record is safe: acknowledged by Kafka or written to the spool. */
    final Runnable onDurable;

    /** Set when the record was read back from the spool rather than sent straight away. */
    volatile boolean fromSpool;

    /** Producer generation the record was last sent with. */
    volatile int generation;

    /**
     * Set once a producer took the record (its {@code send} returned without refusing it): from
     * then on Kafka may hold it even if no acknowledgement ever comes.
     */
    volatile boolean handedOver;

    /** Why the producer's {@code send} refused the record before taking it, or null. */
    volatile Exception refusedAtSend;

    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicBoolean durable = new AtomicBoolean();

    Outgoing(long seq, String key, byte[] value, boolean marker, Runnable onDurable) {
        this.seq = seq;
        this.key = key;
        this.keyBytes = key.getBytes(StandardCharsets.UTF_8);
        this.value = value;
        this.marker = marker;
        this.onDurable = onDurable;
    }

    /** Returns the bytes this record holds in memory, for the memory bound. */
    long memoryBytes() {
        return value.length + keyBytes.length + 64L;
    }

    /** Marks the record acknowledged or given up; returns false if it already was. */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }

    /** Returns true once the record was acknowledged or given up. */
    boolean isFinished() {
        return finished.get();
    }

    /** Runs {@link #onDurable} the first time the record becomes safe. */
    void signalDurable() {
        if (durable.compareAndSet(false, true) && onDurable != null) {
            onDurable.run();
        }
    }
}
