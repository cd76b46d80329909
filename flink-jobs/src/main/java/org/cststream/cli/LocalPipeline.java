package org.cststream.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.cststream.frame.FrameFormatException;
import org.cststream.frame.PatchTokens;
import org.cststream.frame.TokenCodec;
import org.cststream.frame.WallClock;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.recording.RecordingReader;
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
        EmbeddedKafkaBroker broker = null;
        try {
            if (job.getOptional(FrameJobOptions.BOOTSTRAP_SERVERS).isEmpty()) {
                broker = EmbeddedKafkaBroker.start();
                job.set(FrameJobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
            }
            return runOn(recording, replay, job, parallelism, timeout);
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
            Duration timeout)
            throws Exception {
        String servers = job.get(FrameJobOptions.BOOTSTRAP_SERVERS);
        Map<String, String> clientProps = job.get(FrameJobOptions.KAFKA_PROPERTIES);
        List<String> all = FrameJobOptions.topics(job);
        List<String> outputs = all.subList(1, all.size());
        Topics.ensure(servers, clientProps, all, parallelism, (short) 1);

        double rejectedBefore =
                CstMetrics.total(CstMetrics.registry(), MetricNames.FRAMES_REJECTED);
        StreamExecutionEnvironment env = localEnvironment(parallelism);
        JobClient client = FrameProcessingJob.forKafka(job).executeAsync(env);
        LOG.info("frame job submitted jobId={}", client.getJobID());
        Collector collector =
                new Collector(
                        servers,
                        clientProps,
                        job.get(FrameJobOptions.TOKENS_TOPIC),
                        job.get(FrameJobOptions.EVENTS_TOPIC),
                        replay.sessionId);
        Thread reader = new Thread(collector, "cst-output-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            long start = System.nanoTime();
            ReplayResult result;
            try (KafkaProducer<String, byte[]> producer =
                    new KafkaProducer<>(KafkaSettings.producer(servers, clientProps))) {
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
                    new HashSet<>(collector.counters).size(),
                    OutputReader.duplicates(collector.counters),
                    end == null ? collector.missing : end.framesMissing,
                    result.droppedIndices().size(),
                    rejected,
                    percentile(latencies, 0.50) / 1e6,
                    percentile(latencies, 0.99) / 1e6,
                    Math.max(0, elapsed),
                    outputs,
                    job.getOptional(FrameJobOptions.OUTPUT_DIR).orElse(null));
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
                                    + "; see cst-output/logs/cst.log for the full trace",
                            e);
                }
                throw new IllegalStateException(
                        "the frame job ended (" + status + ") before the session ended");
            }
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    /** Returns a MiniCluster environment with filesystem checkpoints in a temporary folder. */
    public static StreamExecutionEnvironment localEnvironment(int parallelism) throws IOException {
        Configuration flink = new Configuration();
        flink.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        flink.setString(
                "execution.checkpointing.dir",
                org.cststream.kafka.TempFolders.create("cst-checkpoints-").toUri().toString());
        flink.setString("rest.bind-address", "127.0.0.1");
        flink.setString("taskmanager.memory.network.max", "256mb");
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    }

    private static double percentile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** Reads tokens and events as they appear, until the session's end has come through. */
    private static final class Collector implements Runnable {
        private final String servers;
        private final Map<String, String> props;
        private final String tokensTopic;
        private final String eventsTopic;
        private final String session;
        private final AtomicBoolean stopped = new AtomicBoolean();
        final List<Long> counters = Collections.synchronizedList(new ArrayList<>());
        final List<Long> latencyNanos = Collections.synchronizedList(new ArrayList<>());
        volatile SessionEvent end;
        volatile long missing;
        volatile long lastOutputNanos = System.nanoTime();

        Collector(
                String servers,
                Map<String, String> props,
                String tokensTopic,
                String eventsTopic,
                String session) {
            this.servers = servers;
            this.props = props;
            this.tokensTopic = tokensTopic;
            this.eventsTopic = eventsTopic;
            this.session = session;
        }

        void stop() {
            stopped.set(true);
        }

        @Override
        public void run() {
            try (OutputReader reader =
                    new OutputReader(servers, props, List.of(tokensTopic, eventsTopic))) {
                Set<Long> seen = new HashSet<>();
                reader.consume(
                        r -> accept(r, seen),
                        () -> stopped.get() || (end != null && seen.size() >= end.framesOrdered),
                        Duration.ofDays(1));
            } catch (RuntimeException e) {
                LOG.warn("output reader failed: {}", e.toString());
            }
        }

        private void accept(ConsumerRecord<String, byte[]> r, Set<Long> seen) {
            if (!session.equals(r.key())) {
                return;
            }
            if (r.topic().equals(eventsTopic)) {
                SessionEvent e = OutputReader.event(r);
                if (SessionEvent.SESSION_END.equals(e.type)) {
                    end = e;
                } else if (SessionEvent.GAP.equals(e.type)) {
                    missing += e.count;
                }
                return;
            }
            try {
                PatchTokens t = TokenCodec.decode(r.value());
                latencyNanos.add(WallClock.nanos() - t.hostReceiveNanos);
                counters.add(t.frameCounter);
                seen.add(t.frameCounter);
                lastOutputNanos = System.nanoTime();
            } catch (FrameFormatException e) {
                LOG.warn("unreadable token record offset={}: {}", r.offset(), e.getMessage());
            }
        }
    }
}
