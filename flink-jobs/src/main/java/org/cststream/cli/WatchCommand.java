package org.cststream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.cststream.metrics.CstMetrics;
import org.cststream.source.FramePublisher;
import org.cststream.source.folder.WatchFolderSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cst watch}: publish the TIFF files acquisition software writes into a folder. */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description =
                "Follow a folder of TIFF files (one per frame, or growing stacks) and publish each"
                        + " page once complete, in name order; a restart continues where the last"
                        + " run stopped.")
final class WatchCommand implements Callable<Integer> {
    @Mixin SourceArgs source;

    @Option(
            names = "--folder",
            required = true,
            paramLabel = "DIR",
            description = "Folder the acquisition software writes into.")
    Path folder;

    @Option(
            names = "--session",
            paramLabel = "ID",
            defaultValue = "session-1",
            description = "Session id: the Kafka key of every frame. Default: ${DEFAULT-VALUE}.")
    String session;

    @Option(
            names = "--state-dir",
            paramLabel = "DIR",
            description = "Where progress is kept across restarts. Default: <spool folder>/state.")
    Path stateDir;

    @Option(
            names = "--camera",
            paramLabel = "ID",
            defaultValue = "folder",
            description = "Camera id written into frames. Default: ${DEFAULT-VALUE}.")
    String camera;

    @Option(
            names = "--channels",
            split = ",",
            defaultValue = "470",
            paramLabel = "NM[,NM...]",
            description =
                    "Wavelengths cycled over frames, e.g. 470,405. Default: ${DEFAULT-VALUE}.")
    List<Integer> channels;

    @Option(
            names = "--fps",
            paramLabel = "FPS",
            defaultValue = "30",
            description =
                    "Frame rate for frames whose files record no time. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(
            names = "--poll-ms",
            paramLabel = "MS",
            defaultValue = "50",
            description = "How often the folder is listed. Default: ${DEFAULT-VALUE}.")
    long pollMillis;

    @Option(
            names = "--settle-ms",
            paramLabel = "MS",
            defaultValue = "200",
            description =
                    "A file must be unchanged this long before its last page is taken. Default:"
                            + " ${DEFAULT-VALUE}.")
    long settleMillis;

    @Option(
            names = "--give-up-s",
            paramLabel = "S",
            defaultValue = "30",
            description =
                    "Skip a file that stays unreadable and unchanged this long. Default:"
                            + " ${DEFAULT-VALUE}.")
    double giveUpSeconds;

    @Option(
            names = "--stop-after-idle-s",
            paramLabel = "S",
            defaultValue = "0",
            description = "End the session when no new frame came for S seconds (0 = run on).")
    double stopAfterIdleSeconds;

    @Option(
            names = "--frames",
            paramLabel = "N",
            defaultValue = "0",
            description = "End the session after N frames in this run (0 = no limit).")
    long frames;

    @Option(
            names = "--keep-session-open",
            description =
                    "On Ctrl-C, do not send the end-of-session marker (a later run continues the"
                            + " session).")
    boolean keepSessionOpen;

    @Override
    public Integer call() throws Exception {
        Path spool = source.spoolDir(WatchFolderSource.SOURCE_NAME, session);
        WatchFolderSource.Options options =
                new WatchFolderSource.Options(
                        folder,
                        stateDir != null ? stateDir : spool.resolve("state"),
                        session,
                        camera,
                        channels,
                        fps,
                        Duration.ofMillis(pollMillis),
                        Duration.ofMillis(settleMillis),
                        Duration.ofMillis((long) (giveUpSeconds * 1000)),
                        Duration.ofMillis((long) (stopAfterIdleSeconds * 1000)),
                        frames);
        source.ensureTopic(source.topic);
        try {
            String metrics = source.serveMetrics();
            FramePublisher publisher =
                    FramePublisher.start(
                            source.toOptions(WatchFolderSource.SOURCE_NAME, session),
                            CstMetrics.registry());
            WatchFolderSource watch;
            try {
                watch = new WatchFolderSource(options, publisher, CstMetrics.registry());
            } catch (Exception e) {
                publisher.close();
                throw e;
            }
            System.out.printf(
                    "folder           %s (session %s, progress in %s)%nspool            %s%n"
                            + "metrics          %s%n",
                    folder.toAbsolutePath(),
                    session,
                    options.stateDir(),
                    publisher.options().spoolDir,
                    metrics);
            SourceStatus status =
                    new SourceStatus("watch " + session, publisher.stats(), null, null);
            WatchFolderSource.Report report;
            try (StopSignal signal =
                    new StopSignal(
                            () -> watch.stop(!keepSessionOpen),
                            Duration.ofSeconds(source.stopTimeoutSeconds + 30))) {
                try {
                    report = watch.run(n -> status.tick());
                } finally {
                    publisher.close();
                    watch.saveState();
                }
                status.finish();
                System.out.printf("%n== summary: folder %s, session %s ==%n", folder, session);
                System.out.print(
                        SourceStatus.summary(
                                publisher.stats(), publisher.options().spoolDir.toString()));
                System.out.printf(
                        "files            %d finished, %d skipped (see the log)%n"
                                + "last frame       %d%n",
                        report.filesFinished(), report.filesSkipped(), report.lastCounter());
            }
            return publisher.stats().lost() > 0 ? 1 : 0;
        } finally {
            CstMetrics.stopServing();
        }
    }
}
