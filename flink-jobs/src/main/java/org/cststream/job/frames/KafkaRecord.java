package org.cststream.job.frames;

/** A Kafka record as read from the frames topic, with its coordinates, before decoding. */
public class KafkaRecord {
    public String topic = "";
    public int partition;
    public long offset;

    /** Record timestamp, ms since the Unix epoch. */
    public long timestampMillis;

    public String key;
    public byte[] value;

    public KafkaRecord() {}

    /** Returns {@code topic=… partition=… offset=…} for messages and logs. */
    public String coordinates() {
        return "topic=" + topic + " partition=" + partition + " offset=" + offset;
    }
}
