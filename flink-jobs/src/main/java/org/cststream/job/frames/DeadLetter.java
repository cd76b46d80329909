package org.cststream.job.frames;

/**
 * A record the job could not accept: the original bytes, where they came from, and why they were
 * rejected. Written to the dead-letter topic with the reason in headers, never dropped.
 */
public class DeadLetter {
    public String topic = "";
    public int partition;
    public long offset;
    public long timestampMillis;
    public String key;
    public byte[] value;

    /** Stable reason tag, e.g. {@code bad-checksum}. */
    public String reason = "";

    /** The operator that rejected it, e.g. {@code decode}. */
    public String stage = "";

    /** What was wrong and what to do, for a person. */
    public String message = "";

    /** The original record's size when {@link #value} holds only its start, else 0. */
    public long originalBytes;

    public DeadLetter() {}

    /** Creates a dead letter for a record read from Kafka. */
    public static DeadLetter of(KafkaRecord r, String stage, String reason, String message) {
        DeadLetter d = new DeadLetter();
        d.topic = r.topic;
        d.partition = r.partition;
        d.offset = r.offset;
        d.timestampMillis = r.timestampMillis;
        d.key = r.key;
        d.value = r.value;
        d.stage = stage;
        d.reason = reason;
        d.message = message;
        return d;
    }

    /**
     * Keeps only the first {@code maxBytes} of the original record when it is longer, so that the
     * dead letter fits its topic; {@link #originalBytes} then says how long it was.
     */
    public void capTo(long maxBytes) {
        if (value != null && maxBytes >= 0 && value.length > maxBytes) {
            originalBytes = value.length;
            value = java.util.Arrays.copyOf(value, (int) maxBytes);
            message +=
                    " (the record is cut to its first "
                            + maxBytes
                            + " of "
                            + originalBytes
                            + " bytes here)";
        }
    }
}
