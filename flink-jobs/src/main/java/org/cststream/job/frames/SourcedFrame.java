package org.cststream.job.frames;

import org.cststream.frame.Frame;

/** A decoded frame together with the Kafka coordinates it was read from. */
public class SourcedFrame {
    public Frame frame;
    public String topic = "";
    public int partition;
    public long offset;

    public SourcedFrame() {}

    public SourcedFrame(Frame frame, KafkaRecord origin) {
        this.frame = frame;
        this.topic = origin.topic;
        this.partition = origin.partition;
        this.offset = origin.offset;
    }

    /** Returns {@code topic=… partition=… offset=…} for messages and logs. */
    public String coordinates() {
        return "topic=" + topic + " partition=" + partition + " offset=" + offset;
    }
}
