package org.cststream.cli;

import java.util.List;
import org.cststream.replay.ReplayOptions;
import picocli.CommandLine.Option;

/** Command-line options of a replay, shared by {@code run}, {@code replay} and {@code bench}. */
public class ReplayArgs {
    @Option(
            names = "--input",
            paramLabel = "PATH",
            description =
                    "Recording: a folder of .npy or .tif frames, a (T,H,W) .npy stack, a"
                            + " *_NCHANNELS_H_W_DTYPE.dat file, a multi-page TIFF, or a"
                            + " phantom (phantom or phantom:key=value,..., see 'cst phantom"
                            + " --help'). Without it, a two-channel phantom demo session.")
    String input;

    @Option(
            names = "--session",
            defaultValue = "session-1",
            paramLabel = "ID",
            description = "Session id (the Kafka key). Default: ${DEFAULT-VALUE}.")
    String session;

    @Option(
            names = "--camera",
            defaultValue = "replay",
            paramLabel = "ID",
            description = "Camera id. Default: ${DEFAULT-VALUE}.")
    String camera;

    @Option(
            names = "--channels",
            split = ",",
            defaultValue = "470",
            paramLabel = "NM[,NM...]",
            description =
                    "Excitation wavelengths cycled over frames, e.g. 470,405."
                            + " Default: ${DEFAULT-VALUE}.")
    List<Integer> channels;

    @Option(
            names = "--fps",
            defaultValue = "30",
            paramLabel = "FPS",
            description =
                    "Frame rate when the recording has no timestamps."
                            + " Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(
            names = "--speed",
            defaultValue = "1",
            paramLabel = "FACTOR",
            description = "Replay FACTOR times faster than recorded. Default: ${DEFAULT-VALUE}.")
    double speed;

    @Option(names = "--max-speed", description = "Replay as fast as possible.")
    boolean maxSpeed;

    @Option(
            names = "--drop",
            defaultValue = "0",
            paramLabel = "FRACTION",
            description = "Drop this fraction of frames (0..0.5), never the first.")
    double drop;

    @Option(
            names = "--reorder",
            defaultValue = "0",
            paramLabel = "FRACTION",
            description = "Send this fraction of frames out of order (0..0.5).")
    double reorder;

    @Option(
            names = "--reorder-distance",
            defaultValue = "2",
            paramLabel = "FRAMES",
            description = "How far a reordered frame moves. Default: ${DEFAULT-VALUE}.")
    int reorderDistance;

    @Option(
            names = "--jitter-ms",
            defaultValue = "0",
            paramLabel = "MS",
            description = "Gaussian jitter (std) added to acquisition timestamps.")
    double jitterMillis;

    @Option(
            names = "--seed",
            defaultValue = "1",
            paramLabel = "N",
            description = "Seed of the injected faults. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--limit",
            defaultValue = "0",
            paramLabel = "N",
            description = "Replay only the first N frames (0 = all).")
    int limit;

    @Option(
            names = "--demo-frames",
            defaultValue = "600",
            paramLabel = "N",
            description = "Frames of the generated demo session. Default: ${DEFAULT-VALUE}.")
    int demoFrames;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Option(
            names = "--untagged",
            description =
                    "Send frames without their channel, as a camera without excitation metadata"
                            + " does; the job assigns channels from --channel-order.")
    boolean untagged;

    /** Returns the replay options these arguments describe. */
    ReplayOptions toOptions() {
        return ReplayOptions.builder()
                .sessionId(session)
                .cameraId(camera)
                .channelsNm(channels)
                .fps(fps)
                .speed(speed)
                .asFastAsPossible(maxSpeed)
                .dropFraction(drop)
                .reorderFraction(reorder)
                .reorderDistance(reorderDistance)
                .jitterNanos(Math.round(jitterMillis * 1e6))
                .seed(seed)
                .limit(limit)
                .showProgress(!noProgress && System.console() != null)
                .untagged(untagged)
                .build();
    }
}
