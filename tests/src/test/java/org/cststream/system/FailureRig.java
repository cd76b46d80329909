package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.FrameFormatException;
import org.cststream.frame.TokenCodec;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.cst.CstWindowFunction;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.metrics.MetricNames;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.SyntheticRecording;
import org.cststream.replay.FaultPlan;
import org.cststream.replay.ReplayOptions;
import org.cststream.replay.ReplayResult;
import org.cststream.replay.ReplaySource;

/**
 * What the failure tests share: a real broker, an untrained CST for the job's CST stage, the frame
 * job on a Flink MiniCluster of its own, a replay that streams while a fault is injected, and a
 * reader that collects every output frame id as a downstream consumer sees it (read-committed) to
 * compare with the frames that went in.
 *
 * <p>The session has two channels (470/405 nm alternating, so the hemodynamic correction runs) of
 * 64x64 frames, 2% dropped and 2% reordered by the replay; the CST stage runs on the 470 nm frames.
 * So every kind of keyed state is in the checkpoints: ordering buffers, channel references,
 * baselines, pairing, correction moments, open CST windows and async model calls.
 */
final class FailureRig implements AutoCloseable {
    static final int FRAMES = 400;

    /** Frames per second, both channels together: 4 s of streaming. */
    static final double FPS = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    final EmbeddedKafkaBroker broker;
    final Path dir;
    private final Path model;

    FailureRig(Path dir) throws Exception {
        this.dir = dir;
        broker = EmbeddedKafkaBroker.start();
        // an untrained model is enough to check the stream's shape; its layout is the input's
        CstConfig config = CstConfig.widefieldSmall(16);
        ai.djl.engine.Engine.getInstance().setRandomSeed(3);
        model = dir.resolve("model");
        try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
            ObjectNode notes = JSON.createObjectNode();
            notes.set(
                    WindowLayout.NOTES_KEY,
                    JSON.valueToTree(new WindowLayout(4, 4, 16, 2 / FPS, 10)));
            m.save(model, notes);
        }
    }

    @Override
    public void close() {
        broker.close();
    }

    /** Returns the job's configuration with every topic under {@code prefix}. */
    Configuration job(String prefix, boolean exactlyOnce) {
        Configuration c = new Configuration();
        c.set(FrameJobOptions.BOOTSTRAP_SERVERS, broker.bootstrapServers());
        c.set(FrameJobOptions.GROUP_ID, prefix);
        c.set(FrameJobOptions.FRAMES_TOPIC, prefix + ".frames");
        c.set(FrameJobOptions.DFF_TOPIC, prefix + ".dff");
        c.set(FrameJobOptions.TOKENS_TOPIC, prefix + ".tokens");
        c.set(FrameJobOptions.EVENTS_TOPIC, prefix + ".events");
        c.set(FrameJobOptions.DEAD_LETTER_TOPIC, prefix + ".deadletter");
        c.set(FrameJobOptions.CORRECTED_TOPIC, prefix + ".corrected");
        c.set(CstOptions.FILLED_TOPIC, prefix + ".filled");
        c.set(CstOptions.DECODED_TOPIC, prefix + ".decoded");
        c.set(FrameJobOptions.CHANNEL_ORDER, List.of(470, 405));
        c.set(FrameJobOptions.PATCH_SIZE, 16);
        c.set(FrameJobOptions.IDLE_TIMEOUT, Duration.ofSeconds(1));
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        c.set(FrameJobOptions.EXACTLY_ONCE, exactlyOnce);
        c.set(CstOptions.MODEL, model.toString());
        c.set(CstOptions.WINDOW_TIMEOUT, Duration.ofMillis(500));
        Topics.ensure(broker.bootstrapServers(), Map.of(), FrameJobOptions.topics(c), 1, (short) 1);
        return c;
    }

    private static ReplayOptions replay(String session) {
        return ReplayOptions.builder()
                .sessionId(session)
                .fps(FPS)
                .channelsNm(List.of(470, 405))
                .dropFraction(0.02)
                .reorderFraction(0.02)
                .reorderDistance(3)
                .seed(8)
                .showProgress(false)
                .build();
    }

    /** Returns a MiniCluster with one TaskManager, checkpoints in {@code checkpoints}. */
    MiniCluster cluster(Path checkpoints) throws Exception {
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(flink(checkpoints))
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        cluster.start();
        return cluster;
    }

    private static Configuration flink(Path checkpoints) {
        Configuration f = new Configuration();
        f.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        f.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        f.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        f.setString("jobmanager.bind-host", "127.0.0.1");
        f.setString("taskmanager.bind-host", "127.0.0.1");
        f.setString("taskmanager.host", "127.0.0.1");
        f.set(RestOptions.PORT, 0);
        f.set(
                TaskManagerOptions.NETWORK_MEMORY_MAX,
                org.apache.flink.configuration.MemorySize.parse("128mb"));
        f.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        f.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        f.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        return f;
    }

    /**
     * Submits the job to {@code cluster}, resuming from a checkpoint or savepoint when {@code
     * restore} is not null, and waits until its first checkpoint completes (every task runs).
     */
    JobID submit(MiniCluster cluster, Configuration job, Path checkpoints, String restore)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(flink(checkpoints));
        env.setParallelism(1);
        FrameProcessingJob.forKafka(job).build(env);
        StreamGraph graph = env.getStreamGraph();
        if (restore != null) {
            graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(restore, false));
        }
        JobID id = cluster.submitJob(graph).get(60, TimeUnit.SECONDS).getJobID();
        awaitCheckpoints(cluster, id, n -> n >= 1, Duration.ofSeconds(90));
        return id;
    }

    /** Cancels the job and waits until it has stopped, so the cluster closes quietly. */
    static void cancel(MiniCluster cluster, JobID id) throws Exception {
        cluster.cancelJob(id).get(30, TimeUnit.SECONDS);
        cluster.requestJobResult(id).get(60, TimeUnit.SECONDS);
    }

    /** Returns the checkpoints of the job's current run that have completed. */
    static long completedCheckpoints(MiniCluster cluster, JobID id) throws Exception {
        return cluster.getExecutionGraph(id)
                .get(10, TimeUnit.SECONDS)
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    /** Waits until the job's completed checkpoints satisfy {@code done}. */
    static void awaitCheckpoints(
            MiniCluster cluster, JobID id, LongPredicate done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(completedCheckpoints(cluster, id))) {
            JobStatus status = cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
            assertThat(status.isGloballyTerminalState())
                    .as("job %s ended (%s) while waiting for checkpoints", id, status)
                    .isFalse();
            assertThat(System.nanoTime())
                    .as("checkpoints of job %s within %s", id, timeout)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** A replay streaming in its own thread. */
    static final class Replay {
        final String session;
        final CompletableFuture<ReplayResult> result;

        private Replay(String session, CompletableFuture<ReplayResult> result) {
            this.session = session;
            this.result = result;
        }

        /** Returns the frames Kafka has acknowledged so far. */
        long published() {
            return Math.round(
                    CstMetrics.registry()
                            .find(MetricNames.REPLAY_PUBLISHED)
                            .tag(MetricNames.TAG_SESSION, session)
                            .counters()
                            .stream()
                            .mapToDouble(io.micrometer.core.instrument.Counter::count)
                            .sum());
        }

        /** Waits until {@code frames} frames are published. */
        void awaitPublished(long frames) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (published() < frames && !result.isDone()) {
                assertThat(System.nanoTime()).as("replay progress").isLessThan(deadline);
                Thread.sleep(20);
            }
        }
    }

    /** Starts streaming the session to the job's frames topic, paced at {@link #FPS}. */
    Replay startReplay(Configuration job) {
        String session = job.get(FrameJobOptions.GROUP_ID) + "-session";
        CompletableFuture<ReplayResult> result = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try (SyntheticRecording r =
                                            new SyntheticRecording(4, FRAMES, 64, 64, FPS);
                                    KafkaProducer<String, byte[]> producer =
                                            new KafkaProducer<>(
                                                    KafkaSettings.producer(
                                                            broker.bootstrapServers(), Map.of()))) {
                                result.complete(
                                        new ReplaySource(
                                                        r,
                                                        producer,
                                                        job.get(FrameJobOptions.FRAMES_TOPIC),
                                                        replay(session),
                                                        CstMetrics.registry())
                                                .run());
                            } catch (Exception e) {
                                result.completeExceptionally(e);
                            }
                        },
                        "replay-" + session);
        t.setDaemon(true);
        t.start();
        return new Replay(session, result);
    }

    /** The frame ids each output must hold once: what the replay sent, less what it dropped. */
    record Expected(Set<Long> all, Set<Long> calcium) {
        static Expected of(String session) {
            FaultPlan plan = FaultPlan.plan(FRAMES, replay(session));
            Set<Long> all = new TreeSet<>();
            Set<Long> calcium = new TreeSet<>();
            for (long c = 0; c < FRAMES; c++) {
                if (!plan.dropped().contains((int) c)) {
                    all.add(c);
                    // the replay tags frame i with 470 nm when i is even
                    if (c % 2 == 0) {
                        calcium.add(c);
                    }
                }
            }
            return new Expected(all, calcium);
        }
    }

    /** Every output frame id read back, in the order read, duplicates kept. */
    static final class Collected {
        final List<Long> dff = Collections.synchronizedList(new ArrayList<>());
        final List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        final List<Long> corrected = Collections.synchronizedList(new ArrayList<>());
        final List<Long> filled = Collections.synchronizedList(new ArrayList<>());
        final List<SessionEvent> sessionEnds = Collections.synchronizedList(new ArrayList<>());
        final List<SessionEvent> fillEnds = Collections.synchronizedList(new ArrayList<>());

        boolean isComplete(Expected e) {
            return new TreeSet<>(dff).containsAll(e.all())
                    && new TreeSet<>(tokens).containsAll(e.calcium())
                    && new TreeSet<>(corrected).containsAll(e.calcium())
                    && !sessionEnds.isEmpty()
                    && !fillEnds.isEmpty()
                    && new TreeSet<>(filled).size() >= fillEnds.get(0).count;
        }

        int duplicates() {
            return OutputReader.duplicates(dff)
                    + OutputReader.duplicates(tokens)
                    + OutputReader.duplicates(corrected)
                    + OutputReader.duplicates(filled);
        }
    }

    /**
     * Reads the job's outputs (read-committed, from the start) until every expected frame id has
     * come out, then 3 s more so that anything written twice would show.
     */
    Collected collect(Configuration job, Expected expected, Duration timeout) {
        Collected c = new Collected();
        String dff = job.get(FrameJobOptions.DFF_TOPIC);
        String tokens = job.get(FrameJobOptions.TOKENS_TOPIC);
        String corrected = job.get(FrameJobOptions.CORRECTED_TOPIC);
        String filled = job.get(CstOptions.FILLED_TOPIC);
        String events = job.get(FrameJobOptions.EVENTS_TOPIC);
        try (OutputReader reader =
                new OutputReader(
                        broker.bootstrapServers(),
                        Map.of(),
                        List.of(dff, tokens, corrected, filled, events))) {
            java.util.function.Consumer<ConsumerRecord<String, byte[]>> sink =
                    r -> {
                        try {
                            if (r.topic().equals(dff)) {
                                c.dff.add(FrameCodec.decode(r.value()).frameCounter);
                            } else if (r.topic().equals(tokens)) {
                                c.tokens.add(TokenCodec.decode(r.value()).frameCounter);
                            } else if (r.topic().equals(corrected)) {
                                c.corrected.add(FrameCodec.decode(r.value()).frameCounter);
                            } else if (r.topic().equals(filled)) {
                                Frame f = FrameCodec.decode(r.value());
                                c.filled.add(f.frameCounter);
                            } else {
                                SessionEvent e = OutputReader.event(r);
                                if (SessionEvent.SESSION_END.equals(e.type)) {
                                    c.sessionEnds.add(e);
                                } else if (CstWindowFunction.FILL_END.equals(e.type)) {
                                    c.fillEnds.add(e);
                                }
                            }
                        } catch (FrameFormatException e) {
                            throw new AssertionError("unreadable output at " + r.offset(), e);
                        }
                    };
            reader.consume(sink, () -> c.isComplete(expected), timeout);
            reader.consume(sink, () -> false, Duration.ofSeconds(3));
        }
        return c;
    }

    /**
     * Asserts that every output holds each expected frame id exactly once: dF/F every frame sent,
     * the corrected frames and tokens every 470 nm frame, the CST's regular stream every grid time
     * from 0 to its last, one session end and one grid end.
     */
    static void assertExactlyOnce(Collected c, Expected e) {
        assertThat(c.dff).as("dF/F frame ids").doesNotHaveDuplicates();
        assertThat(new TreeSet<>(c.dff)).as("dF/F frame ids").isEqualTo(e.all());
        assertThat(c.corrected).as("corrected frame ids").doesNotHaveDuplicates();
        assertThat(new TreeSet<>(c.corrected)).as("corrected frame ids").isEqualTo(e.calcium());
        assertThat(c.tokens).as("token frame ids").doesNotHaveDuplicates();
        assertThat(new TreeSet<>(c.tokens)).as("token frame ids").isEqualTo(e.calcium());
        assertThat(c.sessionEnds).as("session-end events").hasSize(1);
        assertThat(c.fillEnds).as("fill-end events").hasSize(1);
        SessionEvent grid = c.fillEnds.get(0);
        assertThat(c.filled).as("CST grid times").doesNotHaveDuplicates();
        assertThat(new TreeSet<>(c.filled))
                .as("CST grid times 0..%d", grid.toCounter)
                .hasSize((int) grid.count)
                .first()
                .isEqualTo(0L);
        assertThat(new TreeSet<>(c.filled).last()).isEqualTo(grid.toCounter);
        // every 470 nm frame was on the grid (no jitter), and the grid has one time per frame
        // period from the first to the last, so it spans them all
        assertThat(grid.toCounter)
                .isEqualTo((e.calcium().stream().mapToLong(x -> x).max().getAsLong()) / 2);
    }
}
