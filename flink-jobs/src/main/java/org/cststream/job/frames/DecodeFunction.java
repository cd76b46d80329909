package org.cststream.job.frames;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.FrameFormatException;
import org.cststream.frame.FrameFormatException.Reason;
import org.cststream.frame.PixelType;
import org.cststream.kafka.KafkaLagMonitor;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.pictures.PictureServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates and decodes frame records. A record that breaks a rule of the frame format goes to the
 * dead-letter side output with its reason and Kafka coordinates; the job keeps running.
 */
public class DecodeFunction extends ProcessFunction<KafkaRecord, SourcedFrame> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFunction.class);
    static final String STAGE = "decode";

    private final Configuration config;
    private transient MeterRegistry registry;
    private transient Set<String> warnedReasons;
    private transient KafkaLagMonitor lagMonitor;

    /** Largest record the job may write, bytes: the option, lowered to the topics' limits. */
    private transient long recordLimit;

    /**
     * @param config the job's configuration, for the metrics endpoint and the lag monitor
     */
    public DecodeFunction(Configuration config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        registry = CstMetrics.registry();
        warnedReasons = ConcurrentHashMap.newKeySet();
        int port = config.get(FrameJobOptions.METRICS_PORT);
        if (port >= 0) {
            CstMetrics.serve(config.get(FrameJobOptions.METRICS_HOST), port);
            // on a cluster this class lives in the job's class loader: free the port with it, so
            // that the job's next attempt in this TaskManager can bind it again
            getRuntimeContext()
                    .registerUserCodeClassLoaderReleaseHookIfAbsent(
                            "cst-metrics-endpoint", CstMetrics::stopServing);
        }
        int picturesPort = config.get(FrameJobOptions.PICTURES_PORT);
        if (picturesPort >= 0) {
            PictureServer.serveShared(config.get(FrameJobOptions.PICTURES_HOST), picturesPort);
            getRuntimeContext()
                    .registerUserCodeClassLoaderReleaseHookIfAbsent(
                            "cst-picture-endpoint", PictureServer::stopShared);
        }
        recordLimit = recordLimit();
        // one subtask watches the group's lag for the whole job
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0
                && config.getOptional(FrameJobOptions.BOOTSTRAP_SERVERS).isPresent()) {
            lagMonitor =
                    new KafkaLagMonitor(
                            config.get(FrameJobOptions.BOOTSTRAP_SERVERS),
                            config.get(FrameJobOptions.KAFKA_PROPERTIES),
                            config.get(FrameJobOptions.FRAMES_TOPIC),
                            config.get(FrameJobOptions.GROUP_ID),
                            registry,
                            2000);
        }
    }

    /**
     * Returns the largest record the outputs take: {@code sink.max-record-bytes}, or the smallest
     * {@code max.message.bytes} of the output topics when that is lower (a broker's default is 1
     * MiB). Each topic below the option is named once in a warning with the command that raises it.
     */
    private long recordLimit() {
        long limit = config.get(FrameJobOptions.SINK_MAX_RECORD_BYTES).getBytes();
        String servers = config.getOptional(FrameJobOptions.BOOTSTRAP_SERVERS).orElse(null);
        if (servers == null) {
            return limit;
        }
        // a labels topic is read, not written: its limit does not bound the outputs
        java.util.List<String> outputs = FrameJobOptions.outputTopics(config);
        java.util.Map<String, Long> topicLimits;
        try {
            topicLimits =
                    Topics.maxMessageBytes(
                            servers,
                            config.get(FrameJobOptions.KAFKA_PROPERTIES),
                            outputs,
                            java.time.Duration.ofSeconds(10));
        } catch (IllegalStateException e) {
            LOG.warn(
                    "cannot read the output topics' record size limits; assuming {} bytes ({})",
                    limit,
                    e.getMessage());
            return limit;
        }
        boolean first = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        long lowest = limit;
        for (java.util.Map.Entry<String, Long> t : topicLimits.entrySet()) {
            if (t.getValue() < limit && first) {
                LOG.warn(
                        "output topic takes smaller records than the job may write topic={}"
                                + " maxMessageBytes={} {}={}: frames whose outputs are larger go"
                                + " to the dead-letter topic as too-large (a 1024x1024 frame's dF/F"
                                + " is 4 MiB); raise the topic's limit: kafka-configs.sh"
                                + " --bootstrap-server {} --alter --entity-type topics"
                                + " --entity-name {} --add-config max.message.bytes={}",
                        t.getKey(),
                        t.getValue(),
                        FrameJobOptions.SINK_MAX_RECORD_BYTES.key(),
                        limit,
                        servers,
                        t.getKey(),
                        limit);
            }
            lowest = Math.min(lowest, t.getValue());
        }
        return lowest;
    }

    @Override
    public void close() {
        if (lagMonitor != null) {
            lagMonitor.close();
        }
    }

    @Override
    public void processElement(KafkaRecord record, Context ctx, Collector<SourcedFrame> out) {
        Frame frame;
        try {
            frame = FrameCodec.decode(record.value);
            if (frame.pixelType == PixelType.FLOAT32 && !frame.isEndOfSession()) {
                checkFinite(frame);
            }
        } catch (FrameFormatException e) {
            reject(record, e.reason().tag(), e.getMessage(), ctx);
            return;
        }
        if (!frame.sessionId.equals(record.key)) {
            // the key decides the partition; a mismatch would split a session across partitions
            reject(
                    record,
                    "key-mismatch",
                    frame.describe()
                            + ": Kafka key "
                            + (record.key == null ? "is missing" : "'" + record.key + "'")
                            + " and not the session id; producers must key frames by session so a"
                            + " session stays in order on one partition",
                    ctx);
            return;
        }
        if (!frame.isEndOfSession() && !fitsTheOutputs(record, frame, ctx)) {
            return;
        }
        if (!frame.isEndOfSession()) {
            Counter.builder(MetricNames.FRAMES_RECEIVED)
                    .tag(MetricNames.TAG_SESSION, frame.sessionId)
                    .tag(MetricNames.TAG_CHANNEL, frame.channelLabel())
                    .register(registry)
                    .increment();
        }
        out.collect(new SourcedFrame(frame, record));
    }

    /**
     * Returns whether every record the job writes for the frame fits the record limit and the frame
     * holds a patch; if not, the frame goes to the dead-letter topic (too-large, too-small).
     */
    private boolean fitsTheOutputs(KafkaRecord record, Frame frame, Context ctx) {
        int binning = config.get(FrameJobOptions.BINNING);
        int patch = config.get(FrameJobOptions.PATCH_SIZE);
        FrameJobOptions.EdgeMode edge = config.get(FrameJobOptions.EDGE_MODE);
        long output = OutputSizes.largestOutputBytes(frame, binning, patch, edge);
        // an accepted frame may still be set aside later (a duplicate), as a dead letter
        long asDeadLetter = (long) record.value.length + OutputSizes.DEAD_LETTER_HEADER_BYTES;
        if (Math.max(output, asDeadLetter) > recordLimit) {
            reject(
                    record,
                    Reason.TOO_LARGE.tag(),
                    String.format(
                            "%s: %dx%d %s; its largest output record would be %.1f MiB, above the"
                                    + " %.1f MiB the output topics take (%s, or a topic's"
                                    + " max.message.bytes); bin it (--binning 2 quarters it), use"
                                    + " a smaller camera region, or raise both limits",
                            frame.describe(),
                            frame.width,
                            frame.height,
                            frame.pixelType.name().toLowerCase(java.util.Locale.ROOT),
                            Math.max(output, asDeadLetter) / 1048576.0,
                            recordLimit / 1048576.0,
                            FrameJobOptions.SINK_MAX_RECORD_BYTES.key()),
                    ctx);
            return false;
        }
        long h = OutputSizes.binnedSide(frame.height, binning, edge);
        long w = OutputSizes.binnedSide(frame.width, binning, edge);
        if (edge == FrameJobOptions.EdgeMode.CROP && (h < patch || w < patch)) {
            reject(
                    record,
                    "too-small",
                    frame.describe()
                            + ": "
                            + frame.width
                            + "x"
                            + frame.height
                            + (binning > 1 ? " (" + w + "x" + h + " after binning)" : "")
                            + " holds no whole "
                            + patch
                            + "-pixel patch with "
                            + FrameJobOptions.EDGE_MODE.key()
                            + "=CROP; use --edge PAD (pads it with zeros) or a smaller"
                            + " --patch-size",
                    ctx);
            return false;
        }
        return true;
    }

    private static void checkFinite(Frame frame) throws FrameFormatException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(frame.pixels).order(frame.byteOrder());
        int n = frame.width * frame.height;
        int bad = 0;
        int first = -1;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(b.getFloat(4 * i))) {
                bad++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (bad > 0) {
            throw new FrameFormatException(
                    Reason.NON_FINITE_PIXELS,
                    frame.describe()
                            + ": "
                            + bad
                            + " NaN or infinite pixels, the first at row "
                            + first / frame.width
                            + " column "
                            + first % frame.width
                            + "; fix the source's conversion to"
                            + " float");
        }
    }

    private void reject(KafkaRecord record, String reason, String message, Context ctx) {
        Counter.builder(MetricNames.FRAMES_REJECTED)
                .tag(MetricNames.TAG_REASON, reason)
                .tag(MetricNames.TAG_STAGE, STAGE)
                .register(registry)
                .increment();
        String where = record.coordinates();
        if (warnedReasons.add(reason)) {
            LOG.warn(
                    "frame rejected reason={} {} message=\"{}\" (further rejections for this"
                            + " reason are logged at DEBUG and counted in {})",
                    reason,
                    where,
                    message,
                    MetricNames.FRAMES_REJECTED);
        } else {
            LOG.debug("frame rejected reason={} {} message=\"{}\"", reason, where, message);
        }
        DeadLetter d = DeadLetter.of(record, STAGE, reason, message + " [" + where + "]");
        d.capTo(recordLimit - OutputSizes.DEAD_LETTER_HEADER_BYTES);
        ctx.output(JobOutputs.DEAD_LETTERS, d);
    }
}
