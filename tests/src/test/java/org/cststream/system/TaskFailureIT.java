package org.cststream.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.cststream.job.frames.FaultOptions;
import org.cststream.job.frames.FrameJobOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults inside a running job while a replay streams: a task that fails, a TaskManager that dies,
 * checkpoints that time out. With transactional sinks and read-committed readers every frame comes
 * out of every output exactly once; with at-least-once sinks none is lost.
 */
class TaskFailureIT {
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
    void aTaskThatFailsMidStreamRestartsFromItsCheckpointAndEveryFrameComesOutOnce()
            throws Exception {
        Configuration job = rig.job("taskfail", true);
        job.set(FaultOptions.FAIL_AT_COUNTER, (long) FailureRig.FRAMES / 2);
        Path checkpoints = dir.resolve("taskfail-checkpoints");

        FailureRig.Collected out;
        try (MiniCluster cluster = rig.cluster(checkpoints)) {
            JobID id = rig.submit(cluster, job, checkpoints, null);
            FailureRig.Replay replay = rig.startReplay(job);
            replay.result.get();
            out = rig.collect(job, FailureRig.Expected.of(replay.session), Duration.ofMinutes(2));
            assertThat(
                            cluster.getExecutionGraph(id)
                                    .get()
                                    .getCheckpointStatsSnapshot()
                                    .getCounts()
                                    .getNumberOfRestoredCheckpoints())
                    .as("restores from a checkpoint after the injected failure")
                    .isEqualTo(1);
            FailureRig.assertExactlyOnce(out, FailureRig.Expected.of(replay.session));
            FailureRig.cancel(cluster, id);
        }
    }

    @Test
    void aTaskManagerThatDiesMidStreamIsReplacedAndEveryFrameComesOutOnce() throws Exception {
        Configuration job = rig.job("tmkill", true);
        Path checkpoints = dir.resolve("tmkill-checkpoints");

        try (MiniCluster cluster = rig.cluster(checkpoints)) {
            JobID id = rig.submit(cluster, job, checkpoints, null);
            FailureRig.Replay replay = rig.startReplay(job);
            replay.awaitPublished(FailureRig.FRAMES * 2 / 5);
            long before = FailureRig.completedCheckpoints(cluster, id);
            FailureRig.awaitCheckpoints(cluster, id, n -> n > before, Duration.ofSeconds(60));
            // a fresh TaskManager takes over the slot of the one that dies with all its tasks
            cluster.startTaskManager();
            cluster.terminateTaskManager(0).get();
            replay.result.get();
            FailureRig.Collected out =
                    rig.collect(job, FailureRig.Expected.of(replay.session), Duration.ofMinutes(2));

            FailureRig.cancel(cluster, id);

            FailureRig.assertExactlyOnce(out, FailureRig.Expected.of(replay.session));
        }
    }

    @Test
    void checkpointsThatTimeOutCommitNothingAndTheRestartAfterThemLosesNothing() throws Exception {
        Configuration job = rig.job("timeout", true);
        // checkpoints 3 and 4 take 8 s against a 3 s time-out; two failures in a row are one
        // too many, so the job restarts from checkpoint 2
        job.set(FaultOptions.SLOW_CHECKPOINTS, List.of(3L, 4L));
        job.set(FaultOptions.CHECKPOINT_DELAY, Duration.ofSeconds(8));
        job.set(FrameJobOptions.CHECKPOINT_TIMEOUT, Duration.ofSeconds(3));
        job.set(FrameJobOptions.CHECKPOINT_TOLERABLE_FAILURES, 1);
        Path checkpoints = dir.resolve("timeout-checkpoints");

        try (MiniCluster cluster = rig.cluster(checkpoints)) {
            JobID id = rig.submit(cluster, job, checkpoints, null);
            FailureRig.Replay replay = rig.startReplay(job);
            replay.result.get();
            FailureRig.Collected out =
                    rig.collect(job, FailureRig.Expected.of(replay.session), Duration.ofMinutes(2));
            var counts =
                    cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot().getCounts();
            FailureRig.cancel(cluster, id);

            // on a loaded machine a later checkpoint may time out as well and restart it again
            assertThat(counts.getNumberOfFailedCheckpoints()).isGreaterThanOrEqualTo(2);
            assertThat(counts.getNumberOfRestoredCheckpoints()).isGreaterThanOrEqualTo(1);
            FailureRig.assertExactlyOnce(out, FailureRig.Expected.of(replay.session));
        }
    }

    @Test
    void atLeastOnceSinksLoseNothingAfterATaskFailureButMayRepeatFrames() throws Exception {
        Configuration job = rig.job("alo", false);
        job.set(FaultOptions.FAIL_AT_COUNTER, (long) FailureRig.FRAMES / 2);
        Path checkpoints = dir.resolve("alo-checkpoints");

        try (MiniCluster cluster = rig.cluster(checkpoints)) {
            JobID id = rig.submit(cluster, job, checkpoints, null);
            FailureRig.Replay replay = rig.startReplay(job);
            replay.result.get();
            FailureRig.Expected expected = FailureRig.Expected.of(replay.session);
            FailureRig.Collected out = rig.collect(job, expected, Duration.ofMinutes(2));
            FailureRig.cancel(cluster, id);

            assertThat(new TreeSet<>(out.dff)).isEqualTo(expected.all());
            assertThat(new TreeSet<>(out.tokens)).isEqualTo(expected.calcium());
            assertThat(new TreeSet<>(out.corrected)).isEqualTo(expected.calcium());
            System.out.printf(
                    "at-least-once after a task failure: %d output records repeated%n",
                    out.duplicates());
        }
    }
}
