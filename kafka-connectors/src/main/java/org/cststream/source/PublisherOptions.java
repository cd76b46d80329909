package org.cststream.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;

/**
 * How a live source hands frames to Kafka: where to, how much memory it may hold, where and how
 * much it may spool to disk, and how long a stop waits for Kafka.
 *
 * <p>Build with {@link #builder()}; {@link Builder#build()} checks every value and names the one
 * out of range with its bound and unit.
 */
public final class PublisherOptions {
    /** Kafka servers, {@code host:port[,host:port...]}. */
    public final String bootstrapServers;

    /** Topic the frame records go to. */
    public final String topic;

    /** Extra Kafka client properties (TLS, SASL...); they override the project's defaults. */
    public final Map<String, String> kafkaProperties;

    /** Metric tag of the source: {@code camera}, {@code folder}, {@code tcp}... */
    public final String sourceName;

    /** Bytes of frames the queue between acquisition and the publisher may hold. */
    public final long queueBytes;

    /** Bytes of frame records sent to Kafka and not yet acknowledged. */
    public final long inFlightBytes;

    /** Folder of the disk spool; created if missing. */
    public final Path spoolDir;

    /** Most bytes the spool may hold on disk; 0 disables spooling. */
    public final long spoolMaxBytes;

    /** Size at which the spool starts a new segment file, bytes. */
    public final long spoolSegmentBytes;

    /**
     * How long {@code close()} waits for Kafka to acknowledge everything before it keeps the rest
     * in the spool.
     */
    public final Duration stopTimeout;

    private PublisherOptions(Builder b) {
        bootstrapServers = b.bootstrapServers;
        topic = b.topic;
        kafkaProperties = Map.copyOf(b.kafkaProperties);
        sourceName = b.sourceName;
        queueBytes = b.queueBytes;
        inFlightBytes = b.inFlightBytes;
        spoolDir = b.spoolDir;
        spoolMaxBytes = b.spoolMaxBytes;
        spoolSegmentBytes = b.spoolSegmentBytes;
        stopTimeout = b.stopTimeout;
    }

    /** Returns a builder with the defaults: 256 MiB queue, 128 MiB in flight, 8 GiB spool. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the total memory these options allow for frames, bytes. */
    public long memoryBoundBytes() {
        return queueBytes + inFlightBytes;
    }

    @Override
    public String toString() {
        return "topic="
                + topic
                + " queueMiB="
                + queueBytes / (1024 * 1024)
                + " inFlightMiB="
                + inFlightBytes / (1024 * 1024)
                + " spool="
                + spoolDir
                + " spoolMaxMiB="
                + spoolMaxBytes / (1024 * 1024)
                + " stopTimeoutS="
                + stopTimeout.toSeconds();
    }

    /** Builder for {@link PublisherOptions}. */
    public static final class Builder {
        private String bootstrapServers;
        private String topic = Topics.FRAMES;
        private Map<String, String> kafkaProperties = Map.of();
        private String sourceName = "source";
        private long queueBytes = 256L * 1024 * 1024;
        private long inFlightBytes = 128L * 1024 * 1024;
        private Path spoolDir;
        private long spoolMaxBytes = 8L * 1024 * 1024 * 1024;
        private long spoolSegmentBytes = 256L * 1024 * 1024;
        private Duration stopTimeout = Duration.ofSeconds(30);

        private Builder() {}

        /** Sets the Kafka servers, {@code host:port[,host:port...]}. */
        public Builder bootstrapServers(String v) {
            bootstrapServers = v;
            return this;
        }

        /** Sets the frames topic. */
        public Builder topic(String v) {
            topic = v;
            return this;
        }

        /** Sets extra Kafka client properties; they override the defaults. */
        public Builder kafkaProperties(Map<String, String> v) {
            kafkaProperties = v;
            return this;
        }

        /** Sets the source's metric tag: 1-32 lower-case letters, digits or '-'. */
        public Builder sourceName(String v) {
            sourceName = v;
            return this;
        }

        /** Sets the queue's size, bytes (at least 1 MiB). */
        public Builder queueBytes(long v) {
            queueBytes = v;
            return this;
        }

        /** Sets the unacknowledged bytes allowed, bytes (1 MiB..1 GiB). */
        public Builder inFlightBytes(long v) {
            inFlightBytes = v;
            return this;
        }

        /** Sets the spool folder. */
        public Builder spoolDir(Path v) {
            spoolDir = v;
            return this;
        }

        /** Sets the spool's disk budget, bytes (0 disables spooling). */
        public Builder spoolMaxBytes(long v) {
            spoolMaxBytes = v;
            return this;
        }

        /** Sets the size of one spool segment file, bytes (at least 1 MiB). */
        public Builder spoolSegmentBytes(long v) {
            spoolSegmentBytes = v;
            return this;
        }

        /** Sets how long a stop waits for Kafka (>= 0). */
        public Builder stopTimeout(Duration v) {
            stopTimeout = v;
            return this;
        }

        /**
         * Checks every value and returns the options.
         *
         * @throws IllegalArgumentException naming the parameter, its bound and unit
         */
        public PublisherOptions build() {
            require(
                    bootstrapServers != null && !bootstrapServers.isBlank(),
                    "bootstrap servers must be given (host:port of a Kafka broker)");
            require(topic != null && !topic.isBlank(), "topic must not be empty");
            require(
                    sourceName != null && sourceName.matches("[a-z][a-z0-9-]{0,31}"),
                    "source name must be 1-32 lower-case letters, digits or '-', was '"
                            + sourceName
                            + "'");
            require(spoolDir != null, "spool folder must be given");
            long mib = 1024 * 1024;
            require(
                    queueBytes >= mib,
                    "queue must be at least 1 MiB, was " + queueBytes + " bytes");
            require(
                    inFlightBytes >= mib,
                    "in-flight limit must be at least 1 MiB, was " + inFlightBytes + " bytes");
            require(
                    inFlightBytes <= 1024L * mib,
                    "in-flight limit must be at most 1024 MiB (it sizes the Kafka producer's"
                            + " buffer), was "
                            + inFlightBytes / mib
                            + " MiB");
            require(
                    spoolMaxBytes >= 0,
                    "spool limit must be >= 0 bytes (0 = no spool), was " + spoolMaxBytes);
            require(
                    spoolSegmentBytes >= mib,
                    "spool segment must be at least 1 MiB, was " + spoolSegmentBytes + " bytes");
            require(
                    stopTimeout != null && !stopTimeout.isNegative(),
                    "stop timeout must be >= 0 s, was " + stopTimeout);
            require(
                    inFlightBytes + KafkaSettings.MAX_RECORD_BYTES < Integer.MAX_VALUE,
                    "in-flight limit too large");
            return new PublisherOptions(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
