package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.cststream.job.frames.Checkpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults outside the job while a replay streams: the whole job goes away and a new one resumes from
 * the latest checkpoint; the job is stopped with a savepoint and a new one resumes from it; the
 * Kafka broker restarts. Every frame comes out of every output exactly once.
 */
class JobRestartIT {
    @TempDir static Path dir;
    private static FailureRig rig;

    @BeforeAll
    static void start() throws Exception {
        rig = new FailureRig(dir);
    }

    @AfterAll
    static void stop() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aNewJobResumesFromTheLatestCheckpointOfOneThatWentAway() throws Exception {
        Configuration job = rig.job("resume", true);
        Path checkpoints = dir.resolve("resume-checkpoints");
        FailureRig.Replay replay;
        try (MiniCluster first = rig.cluster(checkpoints)) {
            JobID id = rig.submit(first, job, checkpoints, null);
            replay = rig.startReplay(job);
            replay.awaitPublished(FailureRig.FRAMES * 2 / 5);
            long before = FailureRig.completedCheckpoints(first, id);
            FailureRig.awaitCheckpoints(first, id, n -> n > before, Duration.ofSeconds(60));
            // the cluster shuts down under its running job, as when its process dies; what was
            // written since the last checkpoint stays uncommitted
        }
        Path latest = Checkpoints.latest(checkpoints).orElseThrow();

        try (MiniCluster second = rig.cluster(checkpoints)) {
            JobID id = rig.submit(second, job, checkpoints, latest.toUri().toString());
            replay.result.get();
            FailureRig.Collected out =
                    rig.collect(job, FailureRig.Expected.of(replay.session), Duration.ofMinutes(2));
            var restored =
                    second.getExecutionGraph(id)
                            .get()
                            .getCheckpointStatsSnapshot()
                            .getLatestRestoredCheckpoint();
            FailureRig.cancel(second, id);

            assertThat(restored).isNotNull();
            assertThat(restored.getExternalPath()).contains(latest.getFileName().toString());
            FailureRig.assertExactlyOnce(out, FailureRig.Expected.of(replay.session));
        }
    }

    @Test
    void aJobStoppedWithASavepointIsResumedByANewJobWithoutLossOrRepeats() throws Exception {
        Configuration job = rig.job("savepoint", true);
        Path checkpoints = dir.resolve("savepoint-checkpoints");

        try (MiniCluster cluster = rig.cluster(checkpoints)) {
            JobID first = rig.submit(cluster, job, checkpoints, null);
            FailureRig.Replay replay = rig.startReplay(job);
            replay.awaitPublished(FailureRig.FRAMES * 2 / 5);
            long publishedAtStop = replay.published();
            String savepoint =
                    cluster.stopWithSavepoint(
                                    first,
                                    dir.resolve("savepoints").toUri().toString(),
                                    false,
                                    SavepointFormatType.CANONICAL)
                            .get(2, TimeUnit.MINUTES);
            cluster.requestJobResult(first).get(1, TimeUnit.MINUTES);
            JobID second = rig.submit(cluster, job, checkpoints, savepoint);
            replay.result.get();
            FailureRig.Collected out =
                    rig.collect(job, FailureRig.Expected.of(replay.session), Duration.ofMinutes(2));
            FailureRig.cancel(cluster, second);

            assertThat(publishedAtStop).isLessThan(FailureRig.FRAMES - 8);
            FailureRig.assertExactlyOnce(out, FailureRig.Expected.of(replay.session));
        }
    }

    @Test
    void aKafkaBrokerThatRestartsMidStreamCostsNoFrameAndRepeatsNone() throws Exception {
        Configuration job = rig.job("broker", true);
        Path checkpoints = dir.resolve("broker-checkpoints");

        try (MiniCluster cluster = rig.cluster(checkpoints)) {
            JobID id = rig.submit(cluster, job, checkpoints, null);
            FailureRig.Replay replay = rig.startReplay(job);
            replay.awaitPublished(FailureRig.FRAMES * 2 / 5);
            long before = FailureRig.completedCheckpoints(cluster, id);
            FailureRig.awaitCheckpoints(cluster, id, n -> n > before, Duration.ofSeconds(60));
            rig.broker.stop();
            Thread.sleep(3000);
            rig.broker.restart();
            replay.result.get();
            FailureRig.Collected out =
                    rig.collect(job, FailureRig.Expected.of(replay.session), Duration.ofMinutes(2));
            FailureRig.cancel(cluster, id);

            FailureRig.assertExactlyOnce(out, FailureRig.Expected.of(replay.session));
        }
    }
}
