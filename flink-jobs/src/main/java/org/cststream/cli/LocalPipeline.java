package org.cststream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.FrameFormatException;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.PixelConversion;
import org.cststream.frame.TokenCodec;
import org.cststream.frame.WallClock;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.cst.CstWindowFunction;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.job.frames.hemo.FrameHighPass;
import org.cststream.job.frames.hemo.PixelQuality;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.replay.ReplayOptions;
import org.cststream.replay.ReplayResult;
import org.cststream.replay.ReplaySource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One local run end to end: a Kafka broker (embedded unless servers are given), the frame job on a
 * Flink MiniCluster, a replay of one recording, and a reader of the outputs that measures what a
 * downstream consumer sees. Used by {@code cst run}, the benchmark and the system tests.
 */
public final class LocalPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);

    private LocalPipeline() {}

    /**
     * Runs the pipeline.
     *
     * @param recording the frames to replay; not closed here
     * @param replay pacing, identity and faults of the replay
     * @param job the job's configuration; {@code kafka.bootstrap-servers} is filled in when an
     *     embedded broker is started
     * @param parallelism Flink parallelism (>= 1)
     * @param timeout how long to wait for the outputs after the replay ends
     */
    public static RunReport run(
            RecordingReader recording,
            ReplayOptions replay,
            Configuration job,
            int parallelism,
            Duration timeout)
            throws Exception {
        return run(recording, replay, job, parallelism, timeout, null);
    }

    /**
     * Runs the pipeline and, with a phantom, compares the corrected frames with its truth.
     *
     * @param truth the phantom the recording is, for the summary's quality line; or null
     */
    public static RunReport run(
            RecordingReader recording,
            ReplayOptions replay,
            Configuration job,
            int parallelism,
            Duration timeout,
            PhantomRecording truth)
            throws Exception {
        return run(recording, replay, job, parallelism, timeout, truth, null);
    }

    /**
     * Label records published, keyed by the session, once the job runs and before the replay starts
     * (as a stimulus or behaviour source would publish them).
     *
     * @param topic the labels' topic
     * @param records encoded records ({@link org.cststream.source.labels.LabelCodec})
     */
    public record Labels(String topic, List<byte[]> records) {}

    /**
     * Runs the pipeline with labels streaming in beside the frames.
     *
     * @param truth the phantom the recording is, for the summary's quality line; or null
     * @param labels labels to publish before the replay, or null
     */
    public static RunReport run(
            RecordingReader recording,
            ReplayOptions replay,
            Configuration job,
            int parallelism,
            Duration timeout,
            PhantomRecording truth,
            Labels labels)
            throws Exception {
        EmbeddedKafkaBroker broker = null;
        try {
            if (job.getOptional(FrameJobOptions.BOOTSTRAP_SERVERS).isEmpty()) {
                broker = EmbeddedKafkaBroker.start();
                job.set(FrameJobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            }
            return runOn(recording, replay, job, parallelism, timeout, truth, labels);
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    private static RunReport runOn(
            RecordingReader recording,
            ReplayOptions replay,
            Configuration job,
            int parallelism,
            Duration timeout,
            PhantomRecording truth,
            Labels labels)
            throws Exception {
        String servers = job.get(FrameJobOptions.BOOTSTRAP_SERVERS);
        Map<String, String> clientProps = job.get(FrameJobOptions.KAFKA_PROPERTIES);
        List<String> all = FrameJobOptions.topics(job);
        List<String> outputs = FrameJobOptions.outputTopics(job);
        Topics.ensure(servers, clientProps, all, parallelism, (short) 1);
        if (labels != null) {
            Topics.ensure(servers, clientProps, List.of(labels.topic()), parallelism, (short) 1);
        }

        double rejectedBefore =
                CstMetrics.total(CstMetrics.registry(), MetricNames.FRAMES_REJECTED);
        StreamExecutionEnvironment env = localEnvironment(parallelism, job);
        JobClient client = FrameProcessingJob.forKafka(job).executeAsync(env);
        LOG.info("frame job submitted jobId={}", client.getJobID());
        Collector collector = new Collector(servers, clientProps, job, replay.sessionId, truth);
        Thread reader = new Thread(collector, "cst-output-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            long start = System.nanoTime();
            ReplayResult result;
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaSettings.producer(servers, clientProps))) {
                if (labels != null) {
                    for (byte[] value : labels.records()) {
                        producer.send(
                                new org.apache.kafka.clients.producer.ProducerRecord<>(
                                        labels.topic(), replay.sessionId, value));
                    }
                    producer.flush();
                    LOG.info(
                            "labels published session={} topic={} records={}",
                            replay.sessionId,
                            labels.topic(),
                            labels.records().size());
                }
                result =
                        new ReplaySource(
                                        recording,
                                        producer,
                                        job.get(FrameJobOptions.FRAMES_TOPIC),
                                        replay,
                                        CstMetrics.registry())
                                .run();
            }
            awaitOutputs(reader, client, timeout);
            if (reader.isAlive()) {
                collector.stop();
                reader.join(5000);
                LOG.warn(
                        "outputs incomplete after timeout session={} seconds={} tokens={}",
                        replay.sessionId,
                        timeout.toSeconds(),
                        collector.counters.size());
            }
            double elapsed = (collector.lastOutputNanos - start) / 1e9;
            List<Long> latencies = new ArrayList<>(collector.latencyNanos);
            Collections.sort(latencies);
            long rejected =
                    Math.round(
                            CstMetrics.total(CstMetrics.registry(), MetricNames.FRAMES_REJECTED)
                                    - rejectedBefore);
            SessionEvent end = collector.end;
            return new RunReport(
                    replay.sessionId,
                    result.framesPublished(),
                    collector.dffCounters.size(),
                    OutputReader.duplicates(collector.dffList)
                            + OutputReader.duplicates(collector.counters),
                    end == null ? collector.missing : end.framesMissing,
                    result.droppedIndices().size(),
                    rejected,
                    percentile(latencies, 0.50) / 1e6,
                    percentile(latencies, 0.99) / 1e6,
                    Math.max(0, elapsed),
                    outputs,
                    job.getOptional(FrameJobOptions.OUTPUT_DIR).orElse(null),
                    new HashSet<>(collector.counters).size(),
                    collector.hemoSummary(),
                    collector.cstSummary());
        } finally {
            collector.stop();
            try {
                client.cancel().get();
            } catch (Exception e) {
                LOG.debug("job cancel", e);
            }
        }
    }

    /** Waits for the output reader to see the session's end, failing fast if the job dies first. */
    private static void awaitOutputs(Thread reader, JobClient client, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reader.isAlive() && System.nanoTime() < deadline) {
            reader.join(500);
            JobStatus status = client.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                try {
                    client.getJobExecutionResult().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(
                            "the frame job stopped ("
                                    + status
                                    + ") before the session ended: "
                                    + rootMessage(e)
                                    + "; see "
                                    + Cst.logFile()
                                    + " for the full trace",
                            e);
                }
                throw new IllegalStateException(
                        "the frame job ended (" + status + ") before the session ended");
            }
        }
    }

    /** Returns the innermost cause of {@code t} as "Type: message". */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /**
     * Returns a MiniCluster environment with checkpoints in a temporary folder and the job's {@code
     * metrics.reporter.*} settings (Flink's own metrics).
     */
    public static StreamExecutionEnvironment localEnvironment(int parallelism, Configuration job)
            throws IOException {
        return localEnvironment(
                parallelism, org.cststream.kafka.TempFolders.create("cst-checkpoints-"), job, null);
    }

    /** Returns a MiniCluster environment with filesystem checkpoints in a temporary folder. */
    public static StreamExecutionEnvironment localEnvironment(int parallelism) throws IOException {
        return localEnvironment(
                parallelism, org.cststream.kafka.TempFolders.create("cst-checkpoints-"));
    }

    /**
     * Returns a MiniCluster environment with filesystem checkpoints in {@code checkpoints} (one
     * folder per job inside it, as Flink lays them out).
     */
    public static StreamExecutionEnvironment localEnvironment(int parallelism, Path checkpoints) {
        return localEnvironment(parallelism, checkpoints, new Configuration(), null);
    }

    /**
     * Returns a MiniCluster environment with filesystem checkpoints in {@code checkpoints}, the
     * job's {@code metrics.reporter.*} settings, and, when {@code restore} is not null, the job
     * started from that checkpoint or savepoint.
     *
     * @param restore a checkpoint ({@code .../chk-N}) or savepoint folder, or null to start fresh
     */
    public static StreamExecutionEnvironment localEnvironment(
            int parallelism, Path checkpoints, Configuration job, Path restore) {
        Configuration flink = new Configuration();
        job.toMap().entrySet().stream()
                .filter(e -> e.getKey().startsWith("metrics.reporter."))
                .forEach(e -> flink.setString(e.getKey(), e.getValue()));
        flink.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        flink.setString("execution.checkpointing.dir", checkpoints.toUri().toString());
        if (restore != null) {
            flink.setString("execution.state-recovery.path", restore.toUri().toString());
        }
        // every port of the local cluster on loopback: REST, the blob server (which binds to
        // every interface unless told), the TaskManager's data and RPC ports
        flink.setString("rest.bind-address", "127.0.0.1");
        flink.setString("jobmanager.bind-host", "127.0.0.1");
        flink.setString("taskmanager.bind-host", "127.0.0.1");
        flink.setString("taskmanager.host", "127.0.0.1");
        flink.setString("taskmanager.memory.network.max", "256mb");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    }

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy;
        synchronized (values) {
            copy = new ArrayList<>(values);
        }
        Collections.sort(copy);
        return copy;
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /**
     * Reads the outputs as they appear (dF/F, tokens, events and, with two channels, corrected
     * frames) until every frame of the session has come through; with a phantom it also scores the
     * corrected and the uncorrected calcium frames against the phantom's truth.
     */
    private static final class Collector implements Runnable {
        private final String servers;
        private final Map<String, String> props;
        private final String tokensTopic;
        private final String eventsTopic;
        private final String dffTopic;
        private final String correctedTopic;
        private final String filledTopic;
        private final String decodedTopic;
        private final String target;
        private final Map<String, Long> decodedTo = new ConcurrentHashMap<>();
        private final Set<String> decodedSeen = ConcurrentHashMap.newKeySet();
        private final Set<String> filledSeen = ConcurrentHashMap.newKeySet();
        private final Map<String, Long> fillEnds = new ConcurrentHashMap<>();
        private final Map<String, Long> fillLast = new ConcurrentHashMap<>();
        private volatile long filled;
        private final List<Long> filledLatencyNanos =
                Collections.synchronizedList(new ArrayList<>());
        private final String session;
        private final boolean hemo;
        private final String isosbestic;
        private final String scoredChannel;
        private final Set<String> calciumLabels = new HashSet<>();
        private final String method;
        private final int calibration;
        private final PhantomRecording truth;
        private final AtomicBoolean stopped = new AtomicBoolean();
        final List<Long> counters = Collections.synchronizedList(new ArrayList<>());
        final List<Long> latencyNanos = Collections.synchronizedList(new ArrayList<>());
        final List<Long> dffList = Collections.synchronizedList(new ArrayList<>());
        final Set<Long> dffCounters = ConcurrentHashMap.newKeySet();
        private final Set<Long> tokenSet = ConcurrentHashMap.newKeySet();
        private final Set<Long> correctedCounters = ConcurrentHashMap.newKeySet();
        private volatile long nonIsosbestic;
        private volatile long calcium;
        volatile SessionEvent end;
        volatile long missing;
        volatile long swaps;
        volatile boolean unchecked;
        volatile long calibratedAt = -1;
        volatile long lastOutputNanos = System.nanoTime();
        private PixelQuality correctedQuality;
        private PixelQuality uncorrectedQuality;
        private FrameHighPass correctedTruthFilter;
        private FrameHighPass rawTruthFilter;
        private FrameHighPass rawFilter;
        private int correctedSeen;
        private int rawSeen;

        Collector(
                String servers,
                Map<String, String> props,
                Configuration job,
                String session,
                PhantomRecording truth) {
            this.servers = servers;
            this.props = props;
            this.tokensTopic = job.get(FrameJobOptions.TOKENS_TOPIC);
            this.eventsTopic = job.get(FrameJobOptions.EVENTS_TOPIC);
            this.dffTopic = job.get(FrameJobOptions.DFF_TOPIC);
            this.correctedTopic = job.get(FrameJobOptions.CORRECTED_TOPIC);
            this.filledTopic = CstOptions.enabled(job) ? job.get(CstOptions.FILLED_TOPIC) : null;
            boolean decoding = CstOptions.enabled(job) && CstOptions.hasDecoder(job);
            this.decodedTopic = decoding ? job.get(CstOptions.DECODED_TOPIC) : null;
            this.target = decoding ? CstOptions.decoder(job).target().name() : null;
            this.session = session;
            this.hemo = FrameJobOptions.isHemoActive(job);
            int iso = FrameJobOptions.isosbesticNm(job);
            this.isosbestic = hemo ? Frame.channelLabel("", iso) : null;
            this.scoredChannel =
                    hemo
                            ? job.get(FrameJobOptions.CHANNEL_ORDER).stream()
                                    .filter(nm -> nm != iso)
                                    .findFirst()
                                    .map(nm -> Frame.channelLabel("", nm))
                                    .orElse(null)
                            : null;
            for (int nm : job.get(FrameJobOptions.CHANNEL_ORDER)) {
                if (nm != iso) {
                    calciumLabels.add(Frame.channelLabel("", nm));
                }
            }
            this.method = job.get(FrameJobOptions.HEMO_METHOD).name().toLowerCase(Locale.ROOT);
            this.calibration = job.get(FrameJobOptions.HEMO_CALIBRATION_FRAMES);
            boolean comparable = truth != null && hemo && job.get(FrameJobOptions.BINNING) == 1;
            this.truth = comparable ? truth : null;
            if (comparable) {
                boolean[] mask = new boolean[truth.width() * truth.height()];
                float[] brain = truth.brainMask();
                boolean[] saturated = truth.saturatedMask();
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = brain[i] > 0.9f && !saturated[i];
                }
                double hz = job.get(FrameJobOptions.HEMO_HIGHPASS);
                correctedQuality = new PixelQuality(mask);
                uncorrectedQuality = new PixelQuality(mask);
                correctedTruthFilter = new FrameHighPass(mask.length, hz);
                rawTruthFilter = new FrameHighPass(mask.length, hz);
                rawFilter = new FrameHighPass(mask.length, hz);
            }
        }

        void stop() {
            stopped.set(true);
        }

        private boolean isDone() {
            SessionEvent e = end;
            if (e == null || dffCounters.size() < e.framesOrdered) {
                return false;
            }
            long expectedTokens = hemo ? nonIsosbestic : dffCounters.size();
            return tokenSet.size() >= expectedTokens
                    && (!hemo || correctedCounters.size() >= calcium)
                    && (filledTopic == null || cstDone());
        }

        /** Whether every calcium channel's grid was closed and all its grid times read. */
        private boolean cstDone() {
            int channels = hemo ? calciumLabels.size() : 1;
            long expected = fillEnds.values().stream().mapToLong(Long::longValue).sum();
            return fillEnds.size() >= channels
                    && filledSeen.size() >= expected
                    && (decodedTopic == null || decodedDone());
        }

        /** Whether each channel's decoded values reached its last grid time. */
        private boolean decodedDone() {
            for (Map.Entry<String, Long> e : fillLast.entrySet()) {
                if (decodedTo.getOrDefault(e.getKey(), -1L) < e.getValue()) {
                    return false;
                }
            }
            return true;
        }

        RunReport.CstSummary cstSummary() {
            return filledTopic == null
                    ? null
                    : new RunReport.CstSummary(
                            filledSeen.size(),
                            filled,
                            fillEnds.size(),
                            percentile(sorted(filledLatencyNanos), 0.50) / 1e6,
                            percentile(sorted(filledLatencyNanos), 0.99) / 1e6,
                            decodedSeen.size(),
                            target,
                            liveErrorCount(),
                            liveErrorMean());
        }

        private io.micrometer.core.instrument.search.Search liveErrors() {
            return CstMetrics.registry()
                    .find(MetricNames.DECODED_SQUARED_ERROR)
                    .tag(MetricNames.TAG_SESSION, session);
        }

        private long liveErrorCount() {
            return liveErrors().summaries().stream().mapToLong(x -> x.count()).sum();
        }

        private double liveErrorMean() {
            long n = liveErrorCount();
            double sum = liveErrors().summaries().stream().mapToDouble(x -> x.totalAmount()).sum();
            return n == 0 ? Double.NaN : sum / n;
        }

        @Override
        public void run() {
            List<String> topics = new ArrayList<>(List.of(tokensTopic, eventsTopic, dffTopic));
            if (hemo) {
                topics.add(correctedTopic);
            }
            if (filledTopic != null) {
                topics.add(filledTopic);
            }
            if (decodedTopic != null) {
                topics.add(decodedTopic);
            }
            try (OutputReader reader = new OutputReader(servers, props, topics)) {
                reader.consume(this::accept, () -> stopped.get() || isDone(), Duration.ofDays(1));
            } catch (RuntimeException e) {
                LOG.warn("output reader failed: {}", e.toString());
            }
        }

        private void accept(ConsumerRecord<String, byte[]> r) {
            if (!session.equals(r.key())) {
                return;
            }
            if (r.topic().equals(eventsTopic)) {
                SessionEvent e = OutputReader.event(r);
                switch (e.type) {
                    case SessionEvent.SESSION_END -> end = e;
                    case CstWindowFunction.FILL_END -> {
                        fillEnds.put(e.detail, e.count);
                        fillLast.put(e.detail, e.toCounter);
                    }
                    case SessionEvent.GAP -> missing += e.count;
                    case SessionEvent.CHANNEL_SWAP -> swaps++;
                    case SessionEvent.CHANNEL_CHECK -> unchecked = true;
                    case SessionEvent.HEMO_CALIBRATED ->
                            calibratedAt =
                                    calibratedAt < 0
                                            ? e.fromCounter
                                            : Math.min(calibratedAt, e.fromCounter);
                    default -> {}
                }
                return;
            }
            if (r.topic().equals(decodedTopic)) {
                JsonDecoded d = JsonDecoded.of(r.value());
                if (d != null && decodedSeen.add(d.channel + "|" + d.gridTo)) {
                    decodedTo.merge(d.channel, d.gridTo, Math::max);
                }
                return;
            }
            try {
                if (r.topic().equals(tokensTopic)) {
                    PatchTokens t = TokenCodec.decode(r.value());
                    latencyNanos.add(WallClock.nanos() - t.hostReceiveNanos);
                    counters.add(t.frameCounter);
                    tokenSet.add(t.frameCounter);
                    lastOutputNanos = System.nanoTime();
                } else if (r.topic().equals(dffTopic)) {
                    Frame f = FrameCodec.decode(r.value());
                    dffList.add(f.frameCounter);
                    if (dffCounters.add(f.frameCounter) && hemo) {
                        String label = f.channelLabel();
                        if (!label.equals(isosbestic)) {
                            nonIsosbestic++;
                        }
                        if (calciumLabels.contains(label)) {
                            calcium++;
                        }
                        if (truth != null && label.equals(scoredChannel)) {
                            score(f, rawFilter, rawTruthFilter, uncorrectedQuality, rawSeen++);
                        }
                    }
                } else if (r.topic().equals(filledTopic)) {
                    Frame f = FrameCodec.decode(r.value());
                    filledLatencyNanos.add(WallClock.nanos() - f.hostReceiveNanos);
                    if (filledSeen.add(f.channelLabel() + "|" + f.frameCounter)
                            && (f.flags & Frame.FLAG_FILLED) != 0) {
                        filled++;
                    }
                } else if (r.topic().equals(correctedTopic)) {
                    Frame f = FrameCodec.decode(r.value());
                    if (correctedCounters.add(f.frameCounter)
                            && truth != null
                            && f.channelLabel().equals(scoredChannel)) {
                        score(f, null, correctedTruthFilter, correctedQuality, correctedSeen++);
                    }
                }
            } catch (FrameFormatException e) {
                LOG.warn(
                        "unreadable output record topic={} offset={}: {}",
                        r.topic(),
                        r.offset(),
                        e.getMessage());
            }
        }

        /** Compares one frame with the truth at its time, both high-passed like the correction. */
        private void score(
                Frame f,
                FrameHighPass own,
                FrameHighPass truthFilter,
                PixelQuality quality,
                int seen) {
            int index = (int) f.frameCounter;
            if (index < 0
                    || index >= truth.frameCount()
                    || f.width != truth.width()
                    || f.height != truth.height()) {
                return;
            }
            float[] values = PixelConversion.toFloats(f);
            float[] t = truthFilter.apply(truth.neuralFrame(index), f.acquisitionNanos);
            float[] v = own == null ? values : own.apply(values, f.acquisitionNanos);
            if (seen >= calibration) {
                quality.add(v, t);
            }
        }

        HemoSummary hemoSummary() {
            if (!hemo) {
                return null;
            }
            PixelQuality.Summary c = correctedQuality == null ? null : correctedQuality.summary();
            PixelQuality.Summary u =
                    uncorrectedQuality == null ? null : uncorrectedQuality.summary();
            return new HemoSummary(
                    method,
                    isosbestic,
                    correctedCounters.size(),
                    swaps,
                    unchecked,
                    calibratedAt,
                    c == null ? 0 : c.pixels(),
                    c == null ? 0 : c.frames(),
                    c == null ? Double.NaN : c.medianCorrelation(),
                    u == null ? Double.NaN : u.medianCorrelation());
        }
    }

    /** The fields of a decoded-value record the summary needs. */
    private record JsonDecoded(String channel, long gridTo) {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
                new com.fasterxml.jackson.databind.ObjectMapper();

        /** Returns the record's fields, or null (with a warning) if it cannot be read. */
        static JsonDecoded of(byte[] value) {
            try {
                com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(value);
                return new JsonDecoded(n.path("channel").asText(), n.path("gridTo").asLong());
            } catch (IOException e) {
                LOG.warn("unreadable decoded-value record: {}", e.getMessage());
                return null;
            }
        }
    }
}
