package org.cststream.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cststream.metrics.CstMetrics;
import org.cststream.source.FramePublisher;
import org.cststream.source.camera.AravisCamera;
import org.cststream.source.camera.CameraException;
import org.cststream.source.camera.CameraSettings;
import org.cststream.source.camera.CameraSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cst camera}: acquire from a GenICam camera through Aravis and publish every frame. */
@Command(
        name = "camera",
        mixinStandardHelpOptions = true,
        description =
                "Acquire from a GigE Vision or USB3 Vision camera (Aravis) and publish its frames;"
                        + " Ctrl-C stops, flushes and ends the session.")
final class CameraCommand implements Callable<Integer> {
    @Mixin SourceArgs source;

    @Option(
            names = "--camera-id",
            paramLabel = "ID",
            description =
                    "IP address of a GigE Vision camera (opened directly, no broadcast discovery)"
                            + " or an Aravis device id (vendor-model-serial). Default: the first"
                            + " camera found.")
    String cameraId;

    @Option(
            names = "--session",
            paramLabel = "ID",
            defaultValue = "session-1",
            description = "Session id: the Kafka key of every frame. Default: ${DEFAULT-VALUE}.")
    String session;

    @Option(
            names = "--camera-label",
            paramLabel = "NAME",
            description = "Camera id written into frames. Default: the camera's serial number.")
    String cameraLabel;

    @Option(
            names = "--pixel-format",
            paramLabel = "NAME",
            description = "GenICam pixel format: Mono8, Mono10, Mono12, Mono14 or Mono16.")
    String pixelFormat;

    @Option(
            names = "--region",
            paramLabel = "X,Y,W,H",
            description = "Region of interest in sensor pixels: left, top, width, height.")
    String region;

    @Option(
            names = "--exposure-us",
            paramLabel = "US",
            description = "Exposure time, microseconds.")
    Double exposureMicros;

    @Option(names = "--fps", paramLabel = "FPS", description = "Frame rate, frames/s.")
    Double fps;

    @Option(
            names = "--packet-size",
            paramLabel = "BYTES",
            description = "GigE Vision packet size (jumbo frames: 8000 or more).")
    Integer packetSize;

    @Option(
            names = "--buffers",
            paramLabel = "N",
            defaultValue = "32",
            description = "Image buffers Aravis may fill ahead. Default: ${DEFAULT-VALUE}.")
    int buffers;

    @Option(
            names = "--channel-nm",
            paramLabel = "NM",
            defaultValue = "0",
            description = "Excitation wavelength written into frames, nm (0 = unknown).")
    int channelNm;

    @Option(names = "--channel-name", paramLabel = "NAME", description = "Channel name.")
    String channelName;

    @Option(
            names = "--frames",
            paramLabel = "N",
            defaultValue = "0",
            description = "Stop after N frames (0 = until Ctrl-C).")
    long frames;

    @Option(
            names = "--duration-s",
            paramLabel = "S",
            defaultValue = "0",
            description = "Stop after S seconds (0 = until Ctrl-C).")
    double durationSeconds;

    @Option(
            names = "--frame-timeout-ms",
            paramLabel = "MS",
            defaultValue = "2000",
            description = "Warn when no frame came for MS. Default: ${DEFAULT-VALUE}.")
    long frameTimeoutMillis;

    @Option(
            names = "--stop-after-silence-s",
            paramLabel = "S",
            defaultValue = "0",
            description = "End the session when no frame came for S seconds (0 = keep waiting).")
    double stopAfterSilenceSeconds;

    private static int[] parseRegion(String text) {
        String[] parts = text.split(",");
        try {
            int[] r = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                r[i] = Integer.parseInt(parts[i].trim());
            }
            return r;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--region must be X,Y,W,H in whole pixels, was '" + text + "'");
        }
    }

    @Override
    public Integer call() throws Exception {
        CameraSettings settings =
                new CameraSettings(
                        pixelFormat,
                        region == null ? null : parseRegion(region),
                        exposureMicros == null ? Double.NaN : exposureMicros,
                        fps == null ? Double.NaN : fps,
                        packetSize == null ? 0 : packetSize,
                        buffers);
        CameraSource.Options options =
                new CameraSource.Options(
                        session,
                        cameraLabel,
                        channelNm,
                        channelName,
                        frames,
                        Duration.ofMillis((long) (durationSeconds * 1000)),
                        Duration.ofMillis(frameTimeoutMillis),
                        Duration.ofMillis((long) (stopAfterSilenceSeconds * 1000)));
        try (AravisCamera camera = AravisCamera.open(cameraId)) {
            settings.applyTo(camera);
            int[] r = camera.region();
            System.out.printf(
                    Locale.ROOT,
                    "camera           %s (%s), %s %dx%d, %.1f frames/s, exposure %.0f us%n",
                    camera.describe(),
                    camera.id(),
                    camera.pixelFormatName(),
                    r[2],
                    r[3],
                    camera.frameRate(),
                    camera.exposureMicros());
            source.ensureTopic(source.topic);
            String metrics = source.serveMetrics();
            FramePublisher publisher =
                    FramePublisher.start(
                            source.toOptions(CameraSource.SOURCE_NAME, session),
                            CstMetrics.registry());
            System.out.printf(
                    Locale.ROOT,
                    "spool            %s (%.0f MiB at most)%nmetrics          %s%n",
                    publisher.options().spoolDir,
                    publisher.options().spoolMaxBytes / 1048576.0,
                    metrics);
            CameraSource acquisition =
                    new CameraSource(camera, options, publisher, CstMetrics.registry());
            SourceStatus status =
                    new SourceStatus(
                            "camera " + session,
                            publisher.stats(),
                            "camera drops",
                            acquisition::cameraDrops);
            CameraSource.Report report;
            try (StopSignal signal =
                    new StopSignal(
                            acquisition::stop,
                            Duration.ofSeconds(source.stopTimeoutSeconds + 30))) {
                try {
                    report = acquisition.run(buffers, n -> status.tick());
                } finally {
                    publisher.close();
                }
                status.finish();
                long[] aravis = report.streamStatistics();
                System.out.printf("%n== summary: camera %s, session %s ==%n", camera.id(), session);
                System.out.print(
                        SourceStatus.summary(
                                publisher.stats(), publisher.options().spoolDir.toString()));
                System.out.printf(
                        Locale.ROOT,
                        "camera drops     %d%s; Aravis: %d completed, %d failed, %d underruns%n"
                                + "rate             %.1f frames/s over %.1f s%n"
                                + "end marker       %s%n",
                        report.cameraDropCount(),
                        report.cameraDrops().isEmpty() ? "" : " " + report.cameraDrops(),
                        aravis[0],
                        aravis[1],
                        aravis[2],
                        report.framesPerSecond(),
                        report.elapsedNanos() / 1e9,
                        report.lastCounter() >= 0
                                ? "after frame " + report.lastCounter()
                                : "none (no frame acquired)");
            }
            return publisher.stats().lost() > 0 ? 1 : 0;
        } catch (CameraException e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            CstMetrics.stopServing();
        }
    }
}
