package org.cststream.job.frames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.cststream.job.frames.hemo.HemoMethod;
import org.cststream.job.frames.hemo.HemoSettings;

/**
 * Every setting of {@link FrameProcessingJob}: typed keys with defaults and descriptions, read from
 * a Flink {@link Configuration} and checked once at start-up by {@link #validate}.
 */
public final class FrameJobOptions {
    /** How frames whose size is not a multiple of the patch (or bin) size are cut. */
    public enum EdgeMode {
        /** Fill the last row and column of patches with zeros; no pixel is lost. */
        PAD,
        /** Leave out the pixels past the last whole patch. */
        CROP
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers, host:port[,host:port].");
    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("cst-frames")
                    .withDescription(
                            "Consumer group of the frames source; offsets are"
                                    + " committed on checkpoints only.");
    public static final ConfigOption<String> FRAMES_TOPIC =
            ConfigOptions.key("topic.frames")
                    .stringType()
                    .defaultValue("cst.frames")
                    .withDescription("Input topic of frame records, keyed by session.");
    public static final ConfigOption<String> DFF_TOPIC =
            ConfigOptions.key("topic.dff")
                    .stringType()
                    .defaultValue("cst.frames.dff")
                    .withDescription("Output topic of dF/F frames (float32 frame records).");
    public static final ConfigOption<String> TOKENS_TOPIC =
            ConfigOptions.key("topic.tokens")
                    .stringType()
                    .defaultValue("cst.tokens")
                    .withDescription("Output topic of patch-token records.");
    public static final ConfigOption<String> EVENTS_TOPIC =
            ConfigOptions.key("topic.events")
                    .stringType()
                    .defaultValue("cst.events")
                    .withDescription("Output topic of gap and session events (JSON).");
    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("topic.dead-letter")
                    .stringType()
                    .defaultValue("cst.deadletter")
                    .withDescription("Rejected records, original bytes with reason headers.");
    public static final ConfigOption<Integer> MAX_OUT_OF_ORDER_FRAMES =
            ConfigOptions.key("order.max-out-of-order-frames")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "Frames buffered per session while a missing counter may still arrive;"
                                    + " past this the missing frames count as dropped.");
    public static final ConfigOption<Duration> IDLE_TIMEOUT =
            ConfigOptions.key("order.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "A session that sends nothing for this long has its buffered"
                                    + " frames released, so a silent camera holds nothing back.");
    public static final ConfigOption<Double> TIME_GAP_FACTOR =
            ConfigOptions.key("order.time-gap-factor")
                    .doubleType()
                    .defaultValue(1.8)
                    .withDescription(
                            "Consecutive counters further apart than this many frame"
                                    + " periods are reported as a time gap.");
    public static final ConfigOption<Duration> BASELINE_WINDOW =
            ConfigOptions.key("dff.baseline-window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("Time constant of the causal running-mean baseline F0.");
    public static final ConfigOption<Integer> WARMUP_FRAMES =
            ConfigOptions.key("dff.warmup-frames")
                    .intType()
                    .defaultValue(10)
                    .withDescription(
                            "Frames per channel over which F0 is the plain running mean"
                                    + " before the exponential baseline takes over.");
    public static final ConfigOption<Double> MIN_BASELINE =
            ConfigOptions.key("dff.min-baseline")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Pixels whose baseline is below this (raw counts) get"
                                    + " dF/F = 0 instead of a division by zero or a sign flip.");
    public static final ConfigOption<Integer> BINNING =
            ConfigOptions.key("binning")
                    .intType()
                    .defaultValue(1)
                    .withDescription("Spatial binning factor b: each b x b block is averaged.");
    public static final ConfigOption<Integer> PATCH_SIZE =
            ConfigOptions.key("patch.size")
                    .intType()
                    .defaultValue(16)
                    .withDescription("Side of the square patches (tokens), in binned pixels.");
    public static final ConfigOption<EdgeMode> EDGE_MODE =
            ConfigOptions.key("patch.edge")
                    .enumType(EdgeMode.class)
                    .defaultValue(EdgeMode.PAD)
                    .withDescription("PAD or CROP frames that are not a multiple of the patch.");
    public static final ConfigOption<String> OUTPUT_DIR =
            ConfigOptions.key("output.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("If set, dF/F frames are also written there as .npy files.");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Interval between Flink checkpoints.");
    public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
            ConfigOptions.key("checkpoint.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "A checkpoint not complete after this long is abandoned; its outputs"
                                    + " wait for the next checkpoint.");
    public static final ConfigOption<Integer> CHECKPOINT_TOLERABLE_FAILURES =
            ConfigOptions.key("checkpoint.tolerable-failures")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Checkpoints in a row that may fail or time out before the job"
                                    + " restarts from the latest completed one.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("sink.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "transaction.timeout.ms of the exactly-once sinks: at most the"
                                    + " broker's transaction.max.timeout.ms (15 min by default),"
                                    + " and longer than the checkpoints that may fail in a row"
                                    + " plus a restart; a job down for longer loses the outputs"
                                    + " of its last checkpoint.");
    public static final ConfigOption<Duration> MAX_WATERMARK_DELAY =
            ConfigOptions.key("watermark.max-delay")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription("Bounded out-of-orderness of host receive times.");
    public static final ConfigOption<Duration> BUFFER_TIMEOUT =
            ConfigOptions.key("pipeline.buffer-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMillis(10))
                    .withDescription(
                            "Longest a record waits in a network buffer between"
                                    + " operators; lower is less latency, higher more throughput.");
    public static final ConfigOption<String> SINK_COMPRESSION =
            ConfigOptions.key("sink.compression")
                    .stringType()
                    .defaultValue("none")
                    .withDescription(
                            "Kafka compression of the outputs (none, lz4, zstd, ...);"
                                    + " float dF/F frames barely compress, so none spares CPU.");
    public static final ConfigOption<Boolean> EXACTLY_ONCE =
            ConfigOptions.key("sink.exactly-once")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Transactional Kafka sinks (outputs appear at checkpoints);"
                                    + " at-least-once otherwise.");
    public static final ConfigOption<MemorySize> SINK_MAX_RECORD_BYTES =
            ConfigOptions.key("sink.max-record-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(64))
                    .withDescription(
                            "Largest record the job writes; a frame whose dF/F, corrected, CST"
                                    + " or token record would be larger goes to the dead-letter"
                                    + " topic as too-large. Lowered at start to the smallest"
                                    + " max.message.bytes of the output topics.");
    public static final ConfigOption<String> CORRECTED_TOPIC =
            ConfigOptions.key("topic.corrected")
                    .stringType()
                    .defaultValue("cst.frames.corrected")
                    .withDescription(
                            "Output topic of hemodynamically corrected, z-scored calcium frames"
                                    + " (float32 frame records).");
    public static final ConfigOption<List<Integer>> CHANNEL_ORDER =
            ConfigOptions.key("channels.order")
                    .intType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Excitation wavelengths in acquisition order (nm), e.g. 470,405 or"
                                    + " 470,395,575: untagged frames get them in turn by camera"
                                    + " counter; empty = frames keep their tags.");
    public static final ConfigOption<Integer> ISOSBESTIC_NM =
            ConfigOptions.key("channels.isosbestic")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Wavelength of the isosbestic channel (nm); 0 = the listed one"
                                    + " between 380 and 430 nm.");
    public static final ConfigOption<Boolean> ISOSBESTIC_DIMMER =
            ConfigOptions.key("channels.isosbestic-dimmer")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Check at the start of each untagged session that the isosbestic"
                                    + " channel is the dimmest, and rotate the order if another"
                                    + " position is; false for rigs with equally bright channels.");
    public static final ConfigOption<Integer> CHECK_FRAMES =
            ConfigOptions.key("channels.check-frames")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Frames per channel held for the start-of-session check.");
    public static final ConfigOption<Integer> CONFIRM_FRAMES =
            ConfigOptions.key("channels.confirm-frames")
                    .intType()
                    .defaultValue(2)
                    .withDescription(
                            "Frames in a row that must fit another channel before a slipped"
                                    + " alternation is corrected.");
    public static final ConfigOption<Integer> PAIR_MAX_WAIT =
            ConfigOptions.key("pair.max-wait-frames")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Counters a calcium frame may be from the isosbestic frames it is"
                                    + " interpolated from (so: how long it waits for the next);"
                                    + " 0 = two channel cycles.");
    public static final ConfigOption<HemoMethod> HEMO_METHOD =
            ConfigOptions.key("hemo.method")
                    .enumType(HemoMethod.class)
                    .defaultValue(HemoMethod.REGRESSION)
                    .withDescription(
                            "Hemodynamic correction of each calcium channel: NONE, REGRESSION"
                                    + " (per pixel) or MMSE (spatial estimator). Needs two or more"
                                    + " channels in channels.order.");
    public static final ConfigOption<Integer> HEMO_TILE_SIZE =
            ConfigOptions.key("hemo.tile-size")
                    .intType()
                    .defaultValue(32)
                    .withDescription(
                            "Side of the tiles the correction is keyed by (pixels, after"
                                    + " binning); tiles spread over the task slots.");
    public static final ConfigOption<Integer> HEMO_CALIBRATION_FRAMES =
            ConfigOptions.key("hemo.calibration-frames")
                    .intType()
                    .defaultValue(100)
                    .withDescription(
                            "Frames of a calcium channel averaged plainly before the moments"
                                    + " adapt and the MMSE estimator is first computed.");
    public static final ConfigOption<Duration> HEMO_ADAPT_WINDOW =
            ConfigOptions.key("hemo.adapt-window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Time constant of the exponentially weighted moments after"
                                    + " calibration (how fast the correction follows drift).");
    public static final ConfigOption<Double> HEMO_HIGHPASS =
            ConfigOptions.key("hemo.highpass")
                    .doubleType()
                    .defaultValue(0.1)
                    .withDescription(
                            "Cut-off of the high-pass on both channels before fitting, Hz"
                                    + " (0 = off).");
    public static final ConfigOption<Double> HEMO_LOWPASS =
            ConfigOptions.key("hemo.isosbestic-lowpass")
                    .doubleType()
                    .defaultValue(14.0)
                    .withDescription(
                            "Cut-off of the low-pass on the isosbestic channel, Hz (0 = off).");
    public static final ConfigOption<Double> HEMO_MIN_COEFFICIENT =
            ConfigOptions.key("hemo.min-coefficient")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "Smallest plausible regression coefficient; smaller ones are flagged"
                                    + " and clamped.");
    public static final ConfigOption<Double> HEMO_MAX_COEFFICIENT =
            ConfigOptions.key("hemo.max-coefficient")
                    .doubleType()
                    .defaultValue(4.0)
                    .withDescription(
                            "Largest plausible regression coefficient; larger ones are flagged"
                                    + " and clamped.");
    public static final ConfigOption<Integer> HEMO_MMSE_BLOCK =
            ConfigOptions.key("hemo.mmse.block")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Side of the MMSE blocks that share one estimator, pixels.");
    public static final ConfigOption<Integer> HEMO_MMSE_MARGIN =
            ConfigOptions.key("hemo.mmse.margin")
                    .intType()
                    .defaultValue(1)
                    .withDescription(
                            "Pixels on each side of an MMSE block that join its neighbourhood.");
    public static final ConfigOption<Integer> HEMO_MMSE_UPDATE_FRAMES =
            ConfigOptions.key("hemo.mmse.update-frames")
                    .intType()
                    .defaultValue(300)
                    .withDescription("Frames between two computations of a block's estimator.");
    public static final ConfigOption<Duration> HEMO_ZSCORE_WINDOW =
            ConfigOptions.key("hemo.zscore-window")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "Time constant of the running mean and variance of the z-score.");
    public static final ConfigOption<Integer> METRICS_PORT =
            ConfigOptions.key("metrics.port")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Port of the Prometheus endpoint in each TaskManager JVM;"
                                    + " -1 = do not serve from the job (the launcher serves).");
    public static final ConfigOption<String> METRICS_HOST =
            ConfigOptions.key("metrics.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Address the metrics endpoint binds to.");
    public static final ConfigOption<Integer> PICTURES_PORT =
            ConfigOptions.key("pictures.port")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Port of the picture endpoint (newest frames and attention as PNG, a"
                                    + " live page) in each TaskManager JVM; -1 = do not serve from"
                                    + " the job (the launcher serves with --pictures-port).");
    public static final ConfigOption<String> PICTURES_HOST =
            ConfigOptions.key("pictures.host")
                    .stringType()
                    .defaultValue("127.0.0.1")
                    .withDescription("Address the picture endpoint binds to.");
    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES =
            ConfigOptions.key("kafka.properties")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Extra Kafka client properties (e.g. security.protocol,"
                                    + " sasl.*, ssl.*) passed to every client of the job.");

    /** Every option, for help output and the start-up log. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    BOOTSTRAP_SERVERS,
                    GROUP_ID,
                    FRAMES_TOPIC,
                    DFF_TOPIC,
                    TOKENS_TOPIC,
                    EVENTS_TOPIC,
                    DEAD_LETTER_TOPIC,
                    MAX_OUT_OF_ORDER_FRAMES,
                    IDLE_TIMEOUT,
                    TIME_GAP_FACTOR,
                    BASELINE_WINDOW,
                    WARMUP_FRAMES,
                    MIN_BASELINE,
                    BINNING,
                    PATCH_SIZE,
                    EDGE_MODE,
                    OUTPUT_DIR,
                    CHECKPOINT_INTERVAL,
                    CHECKPOINT_TIMEOUT,
                    CHECKPOINT_TOLERABLE_FAILURES,
                    TRANSACTION_TIMEOUT,
                    MAX_WATERMARK_DELAY,
                    BUFFER_TIMEOUT,
                    SINK_COMPRESSION,
                    EXACTLY_ONCE,
                    SINK_MAX_RECORD_BYTES,
                    METRICS_PORT,
                    METRICS_HOST,
                    PICTURES_PORT,
                    PICTURES_HOST,
                    KAFKA_PROPERTIES,
                    CORRECTED_TOPIC,
                    CHANNEL_ORDER,
                    ISOSBESTIC_NM,
                    ISOSBESTIC_DIMMER,
                    CHECK_FRAMES,
                    CONFIRM_FRAMES,
                    PAIR_MAX_WAIT,
                    HEMO_METHOD,
                    HEMO_TILE_SIZE,
                    HEMO_CALIBRATION_FRAMES,
                    HEMO_ADAPT_WINDOW,
                    HEMO_HIGHPASS,
                    HEMO_LOWPASS,
                    HEMO_MIN_COEFFICIENT,
                    HEMO_MAX_COEFFICIENT,
                    HEMO_MMSE_BLOCK,
                    HEMO_MMSE_MARGIN,
                    HEMO_MMSE_UPDATE_FRAMES,
                    HEMO_ZSCORE_WINDOW);

    private FrameJobOptions() {}

    /**
     * Checks the configuration once, before the job is built.
     *
     * @throws IllegalArgumentException naming every missing or out-of-range key, its bound and unit
     */
    public static void validate(Configuration c) {
        List<String> problems = new ArrayList<>();
        if (c.getOptional(BOOTSTRAP_SERVERS).map(String::isBlank).orElse(true)) {
            problems.add(BOOTSTRAP_SERVERS.key() + " is required (host:port of a Kafka broker)");
        }
        problems.addAll(rangeProblems(c));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid job configuration: " + String.join("; ", problems));
        }
    }

    /**
     * Checks every setting except the Kafka servers, so a launcher can refuse bad values before it
     * starts anything; the output folder is created if missing and must be writable.
     *
     * @throws IllegalArgumentException naming every out-of-range key, its bound and unit
     */
    public static void validateSettings(Configuration c) {
        List<String> problems = rangeProblems(c);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid job configuration: " + String.join("; ", problems));
        }
    }

    private static List<String> rangeProblems(Configuration c) {
        List<String> problems = new ArrayList<>(org.cststream.job.cst.CstOptions.problems(c));
        problems.addAll(FaultOptions.problems(c));
        problems.addAll(checkpointProblems(c));
        c.getOptional(OUTPUT_DIR)
                .ifPresent(
                        dir -> {
                            java.nio.file.Path path = java.nio.file.Paths.get(dir);
                            try {
                                java.nio.file.Files.createDirectories(path);
                            } catch (java.io.IOException | RuntimeException e) {
                                problems.add(
                                        OUTPUT_DIR.key()
                                                + " "
                                                + dir
                                                + " cannot be created ("
                                                + e
                                                + "); choose a folder you can write to");
                                return;
                            }
                            if (!java.nio.file.Files.isWritable(path)) {
                                problems.add(OUTPUT_DIR.key() + " " + dir + " is not writable");
                            }
                        });
        int ooo = c.get(MAX_OUT_OF_ORDER_FRAMES);
        if (ooo < 0 || ooo > 1024) {
            problems.add(
                    MAX_OUT_OF_ORDER_FRAMES.key() + " must be in [0, 1024] frames, was " + ooo);
        }
        if (c.get(IDLE_TIMEOUT).isNegative() || c.get(IDLE_TIMEOUT).isZero()) {
            problems.add(
                    IDLE_TIMEOUT.key()
                            + " must be positive, was "
                            + c.get(IDLE_TIMEOUT).toMillis()
                            + " ms");
        }
        if (c.get(TIME_GAP_FACTOR) <= 1.0) {
            problems.add(
                    TIME_GAP_FACTOR.key()
                            + " must be > 1 frame period, was "
                            + c.get(TIME_GAP_FACTOR));
        }
        if (c.get(BASELINE_WINDOW).toMillis() <= 0) {
            problems.add(
                    BASELINE_WINDOW.key()
                            + " must be positive, was "
                            + c.get(BASELINE_WINDOW).toMillis()
                            + " ms");
        }
        if (c.get(WARMUP_FRAMES) < 1) {
            problems.add(WARMUP_FRAMES.key() + " must be >= 1 frame, was " + c.get(WARMUP_FRAMES));
        }
        if (!(c.get(MIN_BASELINE) > 0)) {
            problems.add(MIN_BASELINE.key() + " must be > 0 counts, was " + c.get(MIN_BASELINE));
        }
        if (c.get(BINNING) < 1 || c.get(BINNING) > 64) {
            problems.add(BINNING.key() + " must be in [1, 64] pixels, was " + c.get(BINNING));
        }
        if (c.get(PATCH_SIZE) < 1 || c.get(PATCH_SIZE) > 512) {
            problems.add(
                    PATCH_SIZE.key() + " must be in [1, 512] pixels, was " + c.get(PATCH_SIZE));
        }
        if (c.get(CHECKPOINT_INTERVAL).toMillis() < 100) {
            problems.add(
                    CHECKPOINT_INTERVAL.key()
                            + " must be >= 100 ms, was "
                            + c.get(CHECKPOINT_INTERVAL).toMillis()
                            + " ms");
        }
        long maxRecord = c.get(SINK_MAX_RECORD_BYTES).getBytes();
        if (maxRecord < 1024 * 1024
                || maxRecord > org.cststream.kafka.KafkaSettings.MAX_RECORD_BYTES) {
            problems.add(
                    SINK_MAX_RECORD_BYTES.key()
                            + " must be in [1, "
                            + org.cststream.kafka.KafkaSettings.MAX_RECORD_BYTES / (1024 * 1024)
                            + "] MiB, was "
                            + maxRecord
                            + " bytes");
        }
        problems.addAll(channelProblems(c));
        int port = c.get(METRICS_PORT);
        if (port < -1 || port > 65535) {
            problems.add(
                    METRICS_PORT.key() + " must be -1 (off), 0 (any) or a TCP port, was " + port);
        }
        int picturesPort = c.get(PICTURES_PORT);
        if (picturesPort < -1 || picturesPort > 65535) {
            problems.add(
                    PICTURES_PORT.key()
                            + " must be -1 (off), 0 (any) or a TCP port, was "
                            + picturesPort);
        }
        return problems;
    }

    /**
     * The checkpoint time-out, tolerated failures and, with exactly-once sinks, the transaction
     * time-out: a transaction stays open from one checkpoint until a later one completes, so it
     * must outlast every checkpoint that may fail in a row.
     */
    private static List<String> checkpointProblems(Configuration c) {
        List<String> problems = new ArrayList<>();
        long timeout = c.get(CHECKPOINT_TIMEOUT).toMillis();
        if (timeout < 100) {
            problems.add(CHECKPOINT_TIMEOUT.key() + " must be >= 100 ms, was " + timeout + " ms");
        }
        int tolerable = c.get(CHECKPOINT_TOLERABLE_FAILURES);
        if (tolerable < 0 || tolerable > 1000) {
            problems.add(
                    CHECKPOINT_TOLERABLE_FAILURES.key()
                            + " must be in [0, 1000] checkpoints, was "
                            + tolerable);
        }
        if (c.get(EXACTLY_ONCE) && timeout >= 100 && tolerable >= 0) {
            long open = (tolerable + 1L) * (c.get(CHECKPOINT_INTERVAL).toMillis() + timeout);
            long txn = c.get(TRANSACTION_TIMEOUT).toMillis();
            if (txn <= open) {
                problems.add(
                        TRANSACTION_TIMEOUT.key()
                                + " ("
                                + txn
                                + " ms) must exceed ("
                                + CHECKPOINT_TOLERABLE_FAILURES.key()
                                + " + 1) x ("
                                + CHECKPOINT_INTERVAL.key()
                                + " + "
                                + CHECKPOINT_TIMEOUT.key()
                                + ") = "
                                + open
                                + " ms, or a transaction may be aborted by the broker before"
                                + " a checkpoint commits it; shorten the checkpoint time-out or"
                                + " raise the transaction time-out (up to the broker's"
                                + " transaction.max.timeout.ms)");
            }
        }
        return problems;
    }

    private static List<String> channelProblems(Configuration c) {
        List<String> problems = new ArrayList<>();
        List<Integer> order = c.get(CHANNEL_ORDER);
        for (int nm : order) {
            if (nm < 300 || nm > 1000) {
                problems.add(
                        CHANNEL_ORDER.key()
                                + " must list wavelengths in [300, 1000] nm, had "
                                + nm);
            }
        }
        if (order.stream().distinct().count() != order.size()) {
            problems.add(CHANNEL_ORDER.key() + " must not repeat a wavelength, was " + order);
        }
        int iso = c.get(ISOSBESTIC_NM);
        if (iso != 0 && !order.contains(iso)) {
            problems.add(
                    ISOSBESTIC_NM.key()
                            + " "
                            + iso
                            + " nm is not in "
                            + CHANNEL_ORDER.key()
                            + " "
                            + order);
        }
        if (isHemoActiveWithoutIsosbestic(c)) {
            problems.add(
                    CHANNEL_ORDER.key()
                            + " "
                            + order
                            + " has no isosbestic channel between 380 and 430 nm; name it with "
                            + ISOSBESTIC_NM.key()
                            + "=NM or set "
                            + HEMO_METHOD.key()
                            + "=NONE");
        }
        range(problems, c, CHECK_FRAMES, 1, 100, "frames per channel");
        range(problems, c, CONFIRM_FRAMES, 1, 16, "frames");
        range(problems, c, PAIR_MAX_WAIT, 0, 1024, "counters (0 = two channel cycles)");
        range(problems, c, HEMO_TILE_SIZE, 4, 1024, "pixels");
        range(problems, c, HEMO_CALIBRATION_FRAMES, 2, 100_000, "frames");
        range(problems, c, HEMO_MMSE_BLOCK, 1, 32, "pixels");
        range(problems, c, HEMO_MMSE_MARGIN, 0, 16, "pixels");
        range(problems, c, HEMO_MMSE_UPDATE_FRAMES, 1, 1_000_000, "frames");
        if (c.get(HEMO_ADAPT_WINDOW).toMillis() <= 0) {
            problems.add(
                    HEMO_ADAPT_WINDOW.key()
                            + " must be positive, was "
                            + c.get(HEMO_ADAPT_WINDOW).toMillis()
                            + " ms");
        }
        if (c.get(HEMO_ZSCORE_WINDOW).toMillis() <= 0) {
            problems.add(
                    HEMO_ZSCORE_WINDOW.key()
                            + " must be positive, was "
                            + c.get(HEMO_ZSCORE_WINDOW).toMillis()
                            + " ms");
        }
        double hp = c.get(HEMO_HIGHPASS);
        if (!(hp >= 0 && hp <= 100)) {
            problems.add(HEMO_HIGHPASS.key() + " must be in [0, 100] Hz (0 = off), was " + hp);
        }
        double lp = c.get(HEMO_LOWPASS);
        if (!(lp >= 0 && lp <= 1000)) {
            problems.add(HEMO_LOWPASS.key() + " must be in [0, 1000] Hz (0 = off), was " + lp);
        }
        double min = c.get(HEMO_MIN_COEFFICIENT);
        double max = c.get(HEMO_MAX_COEFFICIENT);
        if (!(Double.isFinite(min) && Double.isFinite(max) && min < max)) {
            problems.add(
                    HEMO_MIN_COEFFICIENT.key()
                            + " must be below "
                            + HEMO_MAX_COEFFICIENT.key()
                            + ", both finite; were "
                            + min
                            + " and "
                            + max);
        }
        return problems;
    }

    private static void range(
            List<String> problems,
            Configuration c,
            ConfigOption<Integer> o,
            int min,
            int max,
            String unit) {
        int v = c.get(o);
        if (v < min || v > max) {
            problems.add(o.key() + " must be in [" + min + ", " + max + "] " + unit + ", was " + v);
        }
    }

    private static boolean isHemoActiveWithoutIsosbestic(Configuration c) {
        return c.get(HEMO_METHOD) != HemoMethod.NONE
                && c.get(CHANNEL_ORDER).size() > 1
                && isosbesticNm(c) < 0;
    }

    /**
     * Returns the isosbestic wavelength: {@code channels.isosbestic} when set, else the listed one
     * between 380 and 430 nm, else -1.
     */
    public static int isosbesticNm(Configuration c) {
        int iso = c.get(ISOSBESTIC_NM);
        if (iso > 0) {
            return iso;
        }
        for (int nm : c.get(CHANNEL_ORDER)) {
            if (nm >= 380 && nm <= 430) {
                return nm;
            }
        }
        return -1;
    }

    /**
     * Returns true if the job corrects hemodynamics: a method other than NONE and two or more
     * channels, one of them isosbestic.
     */
    public static boolean isHemoActive(Configuration c) {
        return c.get(HEMO_METHOD) != HemoMethod.NONE
                && c.get(CHANNEL_ORDER).size() > 1
                && isosbesticNm(c) > 0;
    }

    /** Returns the correction's settings as the options give them. */
    public static HemoSettings hemoSettings(Configuration c) {
        return new HemoSettings(
                c.get(HEMO_METHOD),
                c.get(HEMO_TILE_SIZE),
                c.get(HEMO_CALIBRATION_FRAMES),
                c.get(HEMO_ADAPT_WINDOW).toNanos(),
                c.get(HEMO_HIGHPASS),
                c.get(HEMO_LOWPASS),
                c.get(HEMO_MIN_COEFFICIENT),
                c.get(HEMO_MAX_COEFFICIENT),
                c.get(HEMO_MMSE_BLOCK),
                c.get(HEMO_MMSE_MARGIN),
                c.get(HEMO_MMSE_UPDATE_FRAMES),
                c.get(HEMO_ZSCORE_WINDOW).toNanos());
    }

    /** Returns the pairing's wait bound: the option, or two channel cycles when it is 0. */
    public static int pairMaxWait(Configuration c) {
        int w = c.get(PAIR_MAX_WAIT);
        return w > 0 ? w : 2 * Math.max(1, c.get(CHANNEL_ORDER).size());
    }

    /**
     * Returns every topic the job reads or writes: frames, dF/F, tokens, events, dead letters,
     * corrected frames.
     */
    public static List<String> topics(Configuration c) {
        List<String> t = new ArrayList<>();
        t.add(c.get(FRAMES_TOPIC));
        t.addAll(outputTopics(c));
        if (org.cststream.job.cst.CstOptions.enabled(c)) {
            String labels = org.cststream.job.cst.CstOptions.labelsTopic(c);
            if (labels != null) {
                t.add(labels);
            }
        }
        return t;
    }

    /** Returns the topics the job writes (not the frames or labels it reads). */
    public static List<String> outputTopics(Configuration c) {
        List<String> t =
                new ArrayList<>(
                        List.of(
                                c.get(DFF_TOPIC),
                                c.get(TOKENS_TOPIC),
                                c.get(EVENTS_TOPIC),
                                c.get(DEAD_LETTER_TOPIC),
                                c.get(CORRECTED_TOPIC)));
        if (org.cststream.job.cst.CstOptions.enabled(c)) {
            t.add(c.get(org.cststream.job.cst.CstOptions.FILLED_TOPIC));
            t.add(c.get(org.cststream.job.cst.CstOptions.DECODED_TOPIC));
        }
        return t;
    }

    /** Returns the effective settings as key=value text, Kafka secrets masked. */
    public static String describe(Configuration c) {
        Map<String, String> out = new TreeMap<>();
        List<ConfigOption<?>> all = new ArrayList<>(ALL);
        if (org.cststream.job.cst.CstOptions.enabled(c)) {
            all.addAll(org.cststream.job.cst.CstOptions.ALL);
        }
        for (ConfigOption<?> o : all) {
            Object v = c.getOptional(o).orElse(null);
            if (v == null && o.hasDefaultValue()) {
                v = o.defaultValue();
            }
            if (o == KAFKA_PROPERTIES) {
                Map<String, String> masked = new TreeMap<>();
                c.get(KAFKA_PROPERTIES)
                        .forEach(
                                (k, val) ->
                                        masked.put(
                                                k,
                                                k.contains("password")
                                                                || k.contains("jaas")
                                                                || k.contains("secret")
                                                        ? "****"
                                                        : val));
                v = masked;
            }
            out.put(o.key(), String.valueOf(v));
        }
        StringBuilder sb = new StringBuilder();
        out.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
        return sb.toString().trim();
    }
}
