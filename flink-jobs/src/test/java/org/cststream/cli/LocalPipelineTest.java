package org.cststream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The local cluster's environment: where checkpoints go and what a restarted {@code cst job} starts
 * from. (That a restored job loses and repeats nothing is {@code JobRestartIT}'s.)
 */
class LocalPipelineTest {
    @TempDir Path dir;

    private static StreamGraph graph(StreamExecutionEnvironment env) {
        Configuration job = new Configuration();
        job.set(FrameJobOptions.BOOTSTRAP_SERVERS, "127.0.0.1:9");
        FrameProcessingJob.forKafka(job).build(env);
        return env.getStreamGraph();
    }

    @Test
    void aRestorePathReachesTheJobGraphAndNoneStartsFresh() throws Exception {
        Path checkpoint = Files.createDirectories(dir.resolve("job/chk-7"));
        Files.writeString(checkpoint.resolve("_metadata"), "x");

        StreamGraph restored =
                graph(
                        LocalPipeline.localEnvironment(
                                1, dir.resolve("cp"), new Configuration(), checkpoint));
        StreamGraph fresh =
                graph(
                        LocalPipeline.localEnvironment(
                                1, dir.resolve("cp"), new Configuration(), null));

        assertThat(restored.getSavepointRestoreSettings().restoreSavepoint()).isTrue();
        assertThat(
                        Path.of(
                                java.net.URI.create(
                                        restored.getSavepointRestoreSettings().getRestorePath())))
                .isEqualTo(checkpoint);
        assertThat(fresh.getSavepointRestoreSettings().restoreSavepoint()).isFalse();
    }

    @Test
    void restoreLatestNeedsACheckpointFolderAndAFolderNeedsMetadata() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = Cst.commandLine();
        cli.setErr(new PrintWriter(err, true));

        int notACheckpoint =
                cli.execute(
                        "job", "--bootstrap-servers", "127.0.0.1:9", "--restore", dir.toString());
        String notACheckpointSays = err.toString();
        err.reset();
        int latestWithoutFolder =
                cli.execute("job", "--bootstrap-servers", "127.0.0.1:9", "--restore", "latest");

        assertThat(notACheckpoint).isEqualTo(2);
        assertThat(notACheckpointSays).contains(dir.toString(), "no _metadata file", "latest");
        assertThat(latestWithoutFolder).isEqualTo(2);
        assertThat(err.toString()).contains("--restore latest needs --checkpoint-dir");
    }
}
