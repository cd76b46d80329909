package org.cststream.job.frames;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.cststream.frame.Frame;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.TokenCodec;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.cst.CstStage;
import org.cststream.job.cst.DecodedValue;
import org.cststream.job.cst.FilledFrame;
import org.cststream.job.frames.hemo.HemoSettings;
import org.cststream.kafka.KafkaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main job: frames from Kafka in, dF/F frames, patch tokens, events and dead letters out.
 *
 * <p>Steps: decode and validate; order each session by camera counter and detect drops; assign
 * channels to untagged frames; dF/F against a causal baseline per session and channel; optional
 * binning; with two or more channels, pair each calcium frame with the isosbestic signal at its
 * time and correct it for hemodynamics tile by tile (then z-score); cut into patches. The source
 * and sinks are handed in, so tests and other deployments can plug in their own; {@link #forKafka}
 * plugs in the real topics. The CST operator slots in between the correction and patching.
 */
public final class FrameProcessingJob {
    private static final Logger LOG = LoggerFactory.getLogger(FrameProcessingJob.class);

    private final Configuration config;
    private final Source<KafkaRecord, ?, ?> source;
    private final Sinks sinks;
    private final Source<KafkaRecord, ?, ?> labels;

    /**
     * Where the job's outputs go.
     *
     * @param dff dF/F frames (after binning)
     * @param tokens patch tokens
     * @param events gap, channel, correction and fill events
     * @param deadLetters rejected records
     * @param corrected the hemodynamically corrected, z-scored calcium frames, or null for none
     * @param filled the CST stage's regular frame stream, or null for none (the stage still runs
     *     when {@code cst.model} is set)
     * @param decoded the decoded value of each CST window (with {@code cst.decoder}), or null for
     *     none
     */
    public record Sinks(
            Sink<DffFrame> dff,
            Sink<PatchTokens> tokens,
            Sink<SessionEvent> events,
            Sink<DeadLetter> deadLetters,
            Sink<DffFrame> corrected,
            Sink<FilledFrame> filled,
            Sink<DecodedValue> decoded) {

        /** Sinks without the CST stage's decoded values. */
        public Sinks(
                Sink<DffFrame> dff,
                Sink<PatchTokens> tokens,
                Sink<SessionEvent> events,
                Sink<DeadLetter> deadLetters,
                Sink<DffFrame> corrected,
                Sink<FilledFrame> filled) {
            this(dff, tokens, events, deadLetters, corrected, filled, null);
        }
    }

    /** Creates the job with its source and the four sinks every run has. */
    public FrameProcessingJob(
            Configuration config,
            Source<KafkaRecord, ?, ?> source,
            Sink<DffFrame> dffSink,
            Sink<PatchTokens> tokenSink,
            Sink<SessionEvent> eventSink,
            Sink<DeadLetter> deadLetterSink) {
        this(config, source, new Sinks(dffSink, tokenSink, eventSink, deadLetterSink, null, null));
    }

    /** Creates the job with its source and sinks. */
    public FrameProcessingJob(Configuration config, Source<KafkaRecord, ?, ?> source, Sinks sinks) {
        this(config, source, null, sinks);
    }

    /**
     * Creates the job with its sources and sinks.
     *
     * @param labels records of the CST decoder's label topic, for the live decoding error; or null
     */
    public FrameProcessingJob(
            Configuration config,
            Source<KafkaRecord, ?, ?> source,
            Source<KafkaRecord, ?, ?> labels,
            Sinks sinks) {
        FrameJobOptions.validate(config);
        this.config = config;
        this.source = source;
        this.labels = labels;
        this.sinks = sinks;
    }

    /** Returns the job wired to the Kafka topics named in the configuration. */
    public static FrameProcessingJob forKafka(Configuration config) {
        FrameJobOptions.validate(config);
        String servers = config.get(FrameJobOptions.BOOTSTRAP_SERVERS);
        Properties consumer = new Properties();
        consumer.putAll(KafkaSettings.consumerTuning());
        consumer.putAll(config.get(FrameJobOptions.KAFKA_PROPERTIES));
        // offsets are committed when a checkpoint completes, so lag is visible to the group
        consumer.put("commit.offsets.on.checkpoint", "true");
        KafkaSource<KafkaRecord> source =
                kafkaSource(config, config.get(FrameJobOptions.FRAMES_TOPIC), consumer);
        String labelsTopic = CstOptions.labelsTopic(config);
        KafkaSource<KafkaRecord> labels =
                labelsTopic == null ? null : kafkaSource(config, labelsTopic, consumer);
        Sinks sinks =
                new Sinks(
                        kafkaSink(
                                config,
                                "dff",
                                new OutputRecordSerializer<>(
                                        config.get(FrameJobOptions.DFF_TOPIC),
                                        "dff",
                                        d -> d.sessionId,
                                        Outputs::encodeDff,
                                        null,
                                        DffFrame::channelLabel)),
                        kafkaSink(
                                config,
                                "tokens",
                                new OutputRecordSerializer<>(
                                        config.get(FrameJobOptions.TOKENS_TOPIC),
                                        "tokens",
                                        t -> t.sessionId,
                                        TokenCodec::encode,
                                        null,
                                        t -> Frame.channelLabel(t.channelName, t.channelNm))),
                        kafkaSink(
                                config,
                                "events",
                                new OutputRecordSerializer<>(
                                        config.get(FrameJobOptions.EVENTS_TOPIC),
                                        null,
                                        e -> e.sessionId,
                                        Outputs::encodeEvent,
                                        null,
                                        null)),
                        kafkaSink(
                                config,
                                "deadletter",
                                new OutputRecordSerializer<>(
                                        config.get(FrameJobOptions.DEAD_LETTER_TOPIC),
                                        null,
                                        d -> d.key,
                                        d -> d.value,
                                        Outputs::deadLetterHeaders,
                                        null)),
                        kafkaSink(
                                config,
                                "corrected",
                                new OutputRecordSerializer<>(
                                        config.get(FrameJobOptions.CORRECTED_TOPIC),
                                        "corrected",
                                        d -> d.sessionId,
                                        Outputs::encodeDff,
                                        null,
                                        DffFrame::channelLabel)),
                        kafkaSink(
                                config,
                                "filled",
                                new OutputRecordSerializer<>(
                                        config.get(CstOptions.FILLED_TOPIC),
                                        "filled",
                                        f -> f.sessionId,
                                        Outputs::encodeFilled,
                                        Outputs::filledHeaders,
                                        f -> Frame.channelLabel(f.channelName, f.channelNm))),
                        kafkaSink(
                                config,
                                "decoded",
                                new OutputRecordSerializer<>(
                                        config.get(CstOptions.DECODED_TOPIC),
                                        null,
                                        v -> v.sessionId,
                                        Outputs::encodeDecoded,
                                        null,
                                        null)));
        return new FrameProcessingJob(config, source, labels, sinks);
    }

    private static KafkaSource<KafkaRecord> kafkaSource(
            Configuration config, String topic, Properties consumer) {
        return KafkaSource.<KafkaRecord>builder()
                .setBootstrapServers(config.get(FrameJobOptions.BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(config.get(FrameJobOptions.GROUP_ID))
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaRecordDeserializer())
                .setProperties(consumer)
                .build();
    }

    private static <T> KafkaSink<T> kafkaSink(
            Configuration config, String name, OutputRecordSerializer<T> serializer) {
        Properties producer = new Properties();
        producer.putAll(KafkaSettings.producerTuning());
        producer.put("compression.type", config.get(FrameJobOptions.SINK_COMPRESSION));
        producer.putAll(config.get(FrameJobOptions.KAFKA_PROPERTIES));
        boolean exactlyOnce = config.get(FrameJobOptions.EXACTLY_ONCE);
        if (exactlyOnce) {
            // a transaction stays open until a checkpoint after it completes, through failed
            // checkpoints and a restart; the broker aborts it after this long
            producer.putIfAbsent(
                    "transaction.timeout.ms",
                    String.valueOf(config.get(FrameJobOptions.TRANSACTION_TIMEOUT).toMillis()));
        }
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(FrameJobOptions.BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(
                        exactlyOnce
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(config.get(FrameJobOptions.GROUP_ID) + "-" + name)
                .build();
    }

    /** Adds the job's pipeline to {@code env}, with checkpointing on. */
    public void build(StreamExecutionEnvironment env) {
        env.enableCheckpointing(
                config.get(FrameJobOptions.CHECKPOINT_INTERVAL).toMillis(),
                CheckpointingMode.EXACTLY_ONCE);
        CheckpointConfig checkpoints = env.getCheckpointConfig();
        checkpoints.setCheckpointTimeout(config.get(FrameJobOptions.CHECKPOINT_TIMEOUT).toMillis());
        checkpoints.setTolerableCheckpointFailureNumber(
                config.get(FrameJobOptions.CHECKPOINT_TOLERABLE_FAILURES));
        // a cancelled or stopped job can be resumed from its latest checkpoint
        checkpoints.setExternalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.setBufferTimeout(config.get(FrameJobOptions.BUFFER_TIMEOUT).toMillis());
        // every record and state type has a serializer of its own (POJOs, arrays, enums); none
        // falls back to Kryo, so Flink never instantiates classes named in the bytes it reads
        // back from the network, a checkpoint or a savepoint
        Configuration serializers = new Configuration();
        serializers.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(serializers);
        Duration idle = config.get(FrameJobOptions.IDLE_TIMEOUT);
        LOG.info("frame job configuration {}", FrameJobOptions.describe(config));
        if (FaultOptions.enabled(config)) {
            LOG.warn(
                    "fault injection is on, for failure tests only: {}",
                    FaultOptions.describe(config));
        }

        // read records whole; host receive time drives the watermark, idle partitions are skipped
        WatermarkStrategy<KafkaRecord> watermarks =
                WatermarkStrategy.<KafkaRecord>forBoundedOutOfOrderness(
                                config.get(FrameJobOptions.MAX_WATERMARK_DELAY))
                        .withTimestampAssigner((r, ts) -> r.timestampMillis)
                        .withIdleness(idle);
        DataStream<KafkaRecord> records =
                env.fromSource(source, watermarks, "frames").uid("frames-source");

        // validate and decode; malformed records go to the dead-letter topic
        SingleOutputStreamOperator<SourcedFrame> decoded =
                records.process(new DecodeFunction(config)).uid("decode").name("decode");

        // order each session by camera counter; report gaps and the session's end
        SingleOutputStreamOperator<Frame> ordered =
                decoded.keyBy(f -> f.frame.sessionId)
                        .process(
                                new FrameOrderFunction(
                                        config.get(FrameJobOptions.MAX_OUT_OF_ORDER_FRAMES),
                                        idle,
                                        config.get(FrameJobOptions.TIME_GAP_FACTOR)))
                        .uid("order")
                        .name("order");

        // give untagged frames their channel: alternation by counter, checked against content
        SingleOutputStreamOperator<Frame> assigned =
                DataStreamUtils.reinterpretAsKeyedStream(ordered, f -> f.sessionId)
                        .process(
                                new ChannelAssignFunction(
                                        config.get(FrameJobOptions.CHANNEL_ORDER),
                                        FrameJobOptions.isosbesticNm(config),
                                        config.get(FrameJobOptions.ISOSBESTIC_DIMMER),
                                        config.get(FrameJobOptions.CHECK_FRAMES),
                                        config.get(FrameJobOptions.CONFIRM_FRAMES),
                                        idle))
                        .uid("channels")
                        .name("channels");

        // dF/F per session and channel; the stream is still partitioned by session
        SingleOutputStreamOperator<DffFrame> dff =
                DataStreamUtils.reinterpretAsKeyedStream(assigned, f -> f.sessionId)
                        .process(
                                new DffFunction(
                                        config.get(FrameJobOptions.BASELINE_WINDOW),
                                        config.get(FrameJobOptions.WARMUP_FRAMES),
                                        config.get(FrameJobOptions.MIN_BASELINE)))
                        .uid("dff")
                        .name("dff");

        // failure tests only: a task failure or slow checkpoints, injected here
        DataStream<DffFrame> checked = dff;
        if (FaultOptions.enabled(config)) {
            checked =
                    dff.map(
                                    new FaultInjectionFunction(
                                            config.get(FaultOptions.FAIL_AT_COUNTER),
                                            config.get(FaultOptions.SLOW_CHECKPOINTS),
                                            config.get(FaultOptions.CHECKPOINT_DELAY).toMillis()))
                            .uid("fault-injection")
                            .name("fault-injection");
        }

        // optional spatial binning
        DataStream<DffFrame> binned =
                checked.map(
                                new BinningFunction(
                                        config.get(FrameJobOptions.BINNING),
                                        config.get(FrameJobOptions.EDGE_MODE)))
                        .uid("binning")
                        .name("binning");

        // hemodynamic correction of the calcium channels; other frames pass uncorrected
        DataStream<DffFrame> forPatches = binned;
        DataStream<SessionEvent> hemoEvents = null;
        if (FrameJobOptions.isHemoActive(config)) {
            SingleOutputStreamOperator<FramePair> paired = pair(binned, idle);
            SingleOutputStreamOperator<DffFrame> corrected = correct(paired);
            forPatches = corrected.union(paired.getSideOutput(ChannelPairFunction.UNPAIRED));
            hemoEvents = corrected.getSideOutput(JobOutputs.EVENTS);
            if (sinks.corrected() != null) {
                corrected.sinkTo(sinks.corrected()).uid("corrected-sink").name("corrected-sink");
            }
            config.getOptional(FrameJobOptions.OUTPUT_DIR)
                    .ifPresent(
                            dir ->
                                    corrected
                                            .sinkTo(new NpyDirectorySink(dir, "corrected"))
                                            .uid("npy-corrected-sink")
                                            .name("npy-corrected-sink"));
        }

        // cut into patch tokens
        DataStream<PatchTokens> tokens =
                forPatches
                        .map(
                                new PatchFunction(
                                        config.get(FrameJobOptions.PATCH_SIZE),
                                        config.get(FrameJobOptions.EDGE_MODE)))
                        .uid("patches")
                        .name("patches");

        // the CST: a regular frame stream per calcium channel, dropped and off-grid frames filled;
        // with a decoder, a value per window and its live error against streamed labels
        DataStream<SessionEvent> cstEvents = null;
        DataStream<DeadLetter> labelDeadLetters = null;
        if (CstOptions.enabled(config)) {
            int isosbestic = FrameJobOptions.isosbesticNm(config);
            DataStream<PatchTokens> calcium =
                    FrameJobOptions.isHemoActive(config)
                            ? tokens.filter(t -> t.channelNm != isosbestic)
                                    .uid("cst-calcium")
                                    .name("cst-calcium")
                            : tokens;
            DataStream<KafkaRecord> labelRecords =
                    labels == null || !CstOptions.hasDecoder(config)
                            ? null
                            : env.fromSource(labels, WatermarkStrategy.noWatermarks(), "labels")
                                    .uid("labels-source");
            CstStage.Streams cst =
                    CstStage.build(
                            calcium,
                            ordered.getSideOutput(JobOutputs.EVENTS),
                            labelRecords,
                            config);
            if (sinks.filled() != null) {
                cst.filled().sinkTo(sinks.filled()).uid("filled-sink").name("filled-sink");
            }
            if (cst.decoded() != null && sinks.decoded() != null) {
                cst.decoded().sinkTo(sinks.decoded()).uid("decoded-sink").name("decoded-sink");
            }
            if (cst.matched() != null) {
                // the live error is in the metrics; the matched values themselves go nowhere
                cst.matched()
                        .sinkTo(new DiscardingSink<>())
                        .uid("decode-error-sink")
                        .name("decode-error-sink");
            }
            cstEvents = cst.events();
            labelDeadLetters = cst.deadLetters();
        }

        // write outputs
        binned.sinkTo(sinks.dff()).uid("dff-sink").name("dff-sink");
        tokens.sinkTo(sinks.tokens()).uid("tokens-sink").name("tokens-sink");
        config.getOptional(FrameJobOptions.OUTPUT_DIR)
                .ifPresent(
                        dir ->
                                binned.sinkTo(new NpyDirectorySink(dir))
                                        .uid("npy-sink")
                                        .name("npy-sink"));
        DataStream<SessionEvent> events =
                ordered.getSideOutput(JobOutputs.EVENTS)
                        .union(assigned.getSideOutput(JobOutputs.EVENTS));
        if (hemoEvents != null) {
            events = events.union(hemoEvents);
        }
        if (cstEvents != null) {
            events = events.union(cstEvents);
        }
        events.sinkTo(sinks.events()).uid("events-sink").name("events-sink");
        DataStream<DeadLetter> deadLetters =
                decoded.getSideOutput(JobOutputs.DEAD_LETTERS)
                        .union(ordered.getSideOutput(JobOutputs.DEAD_LETTERS));
        if (labelDeadLetters != null) {
            deadLetters = deadLetters.union(labelDeadLetters);
        }
        deadLetters.sinkTo(sinks.deadLetters()).uid("deadletter-sink").name("deadletter-sink");
    }

    /** Pairs each calcium frame with the isosbestic signal at its time, per session. */
    private SingleOutputStreamOperator<FramePair> pair(DataStream<DffFrame> binned, Duration idle) {
        List<Integer> order = config.get(FrameJobOptions.CHANNEL_ORDER);
        int iso = FrameJobOptions.isosbesticNm(config);
        Set<String> calcium = new HashSet<>();
        for (int nm : order) {
            if (nm != iso) {
                calcium.add(Frame.channelLabel("", nm));
            }
        }
        HemoSettings hemo = FrameJobOptions.hemoSettings(config);
        LOG.info(
                "hemodynamic correction method={} isosbestic={}nm calcium={} tile={} margin={}",
                hemo.method(),
                iso,
                calcium,
                hemo.tileSize(),
                hemo.tileMargin());
        return DataStreamUtils.reinterpretAsKeyedStream(binned, f -> f.sessionId)
                .process(
                        new ChannelPairFunction(
                                Frame.channelLabel("", iso),
                                calcium,
                                FrameJobOptions.pairMaxWait(config),
                                idle))
                .uid("pair")
                .name("pair");
    }

    /**
     * Corrects each pair tile by tile (keyed by session, channel and tile) and puts the corrected
     * frames back together.
     */
    private SingleOutputStreamOperator<DffFrame> correct(DataStream<FramePair> paired) {
        HemoSettings hemo = FrameJobOptions.hemoSettings(config);
        DataStream<HemoTile> tiles =
                paired.flatMap(new HemoTileSplitFunction(hemo.tileSize(), hemo.tileMargin()))
                        .uid("hemo-tiles")
                        .name("hemo-tiles");
        DataStream<CorrectedTile> correctedTiles =
                tiles.keyBy(HemoTile::stateKey)
                        .process(new HemoCorrectionFunction(hemo))
                        .uid("hemo-correct")
                        .name("hemo-correct");
        return correctedTiles
                .keyBy(CorrectedTile::frameKey)
                .process(new TileAssemblyFunction(hemo.method().name().toLowerCase(Locale.ROOT)))
                .uid("hemo-assemble")
                .name("hemo-assemble");
    }

    /** Builds the pipeline on {@code env} and submits it without waiting for it to end. */
    public JobClient executeAsync(StreamExecutionEnvironment env) throws Exception {
        build(env);
        return env.executeAsync("cst-frames");
    }
}
