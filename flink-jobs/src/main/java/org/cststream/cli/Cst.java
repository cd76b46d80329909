package org.cststream.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.cststream.recording.phantom.PhantomRecording;
import org.cststream.recording.phantom.PhantomSettings;
import org.cststream.replay.ReplayOptions;
import org.cststream.replay.ReplayResult;
import org.cststream.replay.ReplaySource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code cst} launcher: one command per way of using the system. */
@Command(
        name = "cst",
        mixinStandardHelpOptions = true,
        version = "cst 0.1.0",
        description = "Real-time acquisition processor for widefield calcium imaging.",
        subcommands = {
            Cst.Run.class,
            Cst.Replay.class,
            Cst.Job.class,
            Cst.Broker.class,
            CameraCommand.class,
            WatchCommand.class,
            TcpCommand.class,
            StimulusCommand.class,
            BehaviourCommand.class,
            Serve.class,
            PicturesCommand.class,
            TrainCommand.class,
            DecodeCommand.class,
            PhantomCommand.class,
            Bench.class
        })
public final class Cst implements Runnable {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Cst.class);

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Returns the command line as {@code main} runs it: a failure is one line on stderr. */
    static CommandLine commandLine() {
        return new CommandLine(new Cst())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(Cst::report)
                .setParameterExceptionHandler(
                        (e, args) -> {
                            // one line, not the whole usage: the options are one --help away
                            CommandLine cl = e.getCommandLine();
                            cl.getErr().println("error: " + e.getMessage());
                            cl.getErr()
                                    .println(
                                            "("
                                                    + cl.getCommandSpec().qualifiedName()
                                                    + " --help lists the options)");
                            return 2;
                        });
    }

    /**
     * Prints a failed command's reason as one line, without a stack trace (the trace goes to the
     * log file): bad arguments and input exit with 2, anything else with 1.
     */
    private static int report(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        LOG.error("command failed: {}", String.join(" ", parsed.originalArgs()), e);
        String message = e.getMessage();
        Throwable cause = e.getCause();
        while ((message == null || message.isBlank()) && cause != null) {
            message = cause.getMessage();
            cause = cause.getCause();
        }
        cl.getErr().println("error: " + (message == null ? e.toString() : message));
        cl.getErr().println("(full trace: " + logFile() + ")");
        boolean userError =
                e instanceof IllegalArgumentException || e instanceof java.io.IOException;
        return userError ? 2 : 1;
    }

    /** Returns this run's log file, as the launcher names it. */
    static String logFile() {
        return System.getProperty("cst.log.dir", "cst-output/logs")
                + "/cst-"
                + System.getProperty("cst.run.id", "run")
                + ".log";
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Opens the recording named by {@code --input} (a file, a folder or a phantom spec), or the
     * demo session: a two-channel 128x128 phantom (470/405 nm) of {@code --demo-frames} frames at
     * {@code --fps}.
     */
    static RecordingReader open(ReplayArgs replay) throws Exception {
        if (replay.input == null) {
            return new PhantomRecording(
                    PhantomSettings.builder()
                            .size(128, 128)
                            .frames(replay.demoFrames)
                            .fps(replay.fps)
                            .build());
        }
        if (PhantomSettings.isSpec(replay.input)) {
            return PhantomRecording.open(replay.input);
        }
        return Recordings.open(Paths.get(replay.input));
    }

    /**
     * Sets the job's channel order from the recording's channels, or from {@code --channels} when
     * it lists several, unless {@code --channel-order} was given.
     */
    static void channelOrder(Configuration config, RecordingReader recording, ReplayOptions o) {
        if (config.getOptional(FrameJobOptions.CHANNEL_ORDER).isPresent()) {
            return;
        }
        if (!recording.channelWavelengths().isEmpty()) {
            config.set(FrameJobOptions.CHANNEL_ORDER, recording.channelWavelengths());
        } else if (o.channelsNm.size() > 1) {
            config.set(FrameJobOptions.CHANNEL_ORDER, o.channelsNm);
        }
    }

    /** Prints the input and how its frames will be cut, before anything starts. */
    static void describe(RecordingReader recording, JobArgs job) {
        System.out.println("input            " + recording.describe());
        String note =
                JobArgs.edgeNote(
                        recording.width(),
                        recording.height(),
                        job.binning,
                        job.patchSize,
                        job.edge);
        if (note != null) {
            System.out.println("patches          " + note);
        }
    }

    /**
     * Checks the configured decoder against the model and prints what it decodes; nothing without a
     * decoder.
     *
     * @throws IllegalArgumentException if the decoder does not fit the model
     */
    static void describeDecoder(Configuration config) {
        if (!org.cststream.job.cst.CstOptions.hasDecoder(config)
                || !org.cststream.job.cst.CstOptions.enabled(config)) {
            return;
        }
        org.cststream.model.decoding.Decoder d =
                org.cststream.job.cst.CstStage.checkedDecoder(config);
        String labels = org.cststream.job.cst.CstOptions.labelsTopic(config);
        System.out.println(
                "decoder          "
                        + d.target().name()
                        + " from each window's CST attention ("
                        + d.pca().components()
                        + " PCA components, k = "
                        + d.knn().neighbours()
                        + ", "
                        + d.knn().points().length
                        + " windows) to "
                        + config.get(org.cststream.job.cst.CstOptions.DECODED_TOPIC)
                        + (labels == null
                                ? ""
                                : "; live error against "
                                        + d.target().source().wireName()
                                        + " labels on "
                                        + labels));
    }

    /**
     * Checks the CST stage's model before anything starts, and prints what the stage will run: the
     * model folder loads (the same checks as {@code cst serve}); its patch grid is the one this
     * recording's frames are cut into (when the recording is known); the model server answers (with
     * {@code --cst-inference SERVER}). Without these checks a bad model would fail the job's task
     * again and again until the run timed out.
     *
     * @param recording the recording to replay, or null when frames come from elsewhere
     * @param cameraPeriodSeconds the recording's time between camera frames (all channels), or NaN
     *     when unknown
     * @throws IllegalArgumentException saying what is wrong and what to do
     */
    static void checkCstModel(
            Configuration config, RecordingReader recording, double cameraPeriodSeconds) {
        if (!org.cststream.job.cst.CstOptions.enabled(config)) {
            return;
        }
        Path dir = Path.of(config.get(org.cststream.job.cst.CstOptions.MODEL));
        org.cststream.model.window.WindowLayout layout;
        long parameters;
        try (org.cststream.model.CstModel m = org.cststream.model.CstModel.load(dir)) {
            layout = org.cststream.model.window.WindowLayout.of(m);
            parameters = m.parameterCount();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "cannot use --cst-model " + dir + ": " + e.getMessage(), e);
        }
        int step = config.get(org.cststream.job.cst.CstOptions.WINDOW_STEP);
        if (step > layout.frames()) {
            throw new IllegalArgumentException(
                    "--cst-step "
                            + step
                            + " is more than the model's window of "
                            + layout.frames()
                            + " grid times; use 1 to "
                            + layout.frames()
                            + " (the window's other grid times are context)");
        }
        if (recording != null
                && cameraPeriodSeconds > 0
                && config.getOptional(org.cststream.job.cst.CstOptions.FRAME_PERIOD).isEmpty()) {
            int calcium = Math.max(1, config.get(FrameJobOptions.CHANNEL_ORDER).size());
            double period = cameraPeriodSeconds * calcium;
            if (Math.abs(period - layout.periodSeconds()) > 0.2 * layout.periodSeconds()) {
                throw new IllegalArgumentException(
                        String.format(
                                java.util.Locale.ROOT,
                                "the model in %s was trained on frames %.1f ms apart; this"
                                        + " recording's %s come %.1f ms apart, so the CST's"
                                        + " regular grid would keep only some of them. Train a"
                                        + " model at this rate (./cst train --input ... with the"
                                        + " same --fps and --channels)",
                                dir,
                                layout.periodSeconds() * 1000,
                                calcium > 1 ? "calcium frames" : "frames",
                                period * 1000));
            }
        }
        if (recording != null) {
            int binning = config.get(FrameJobOptions.BINNING);
            int patch = config.get(FrameJobOptions.PATCH_SIZE);
            FrameJobOptions.EdgeMode edge = config.get(FrameJobOptions.EDGE_MODE);
            long h =
                    org.cststream.job.frames.OutputSizes.binnedSide(
                            recording.height(), binning, edge);
            long w =
                    org.cststream.job.frames.OutputSizes.binnedSide(
                            recording.width(), binning, edge);
            long rows = org.cststream.job.frames.OutputSizes.patchCount(h, patch, edge);
            long cols = org.cststream.job.frames.OutputSizes.patchCount(w, patch, edge);
            if (rows != layout.gridRows()
                    || cols != layout.gridCols()
                    || patch != layout.patchSize()) {
                throw new IllegalArgumentException(
                        "the model in "
                                + dir
                                + " takes frames cut into "
                                + layout.gridRows()
                                + " x "
                                + layout.gridCols()
                                + " patches of "
                                + layout.patchSize()
                                + " pixels; this recording's "
                                + recording.height()
                                + "x"
                                + recording.width()
                                + " frames"
                                + (binning > 1 ? " binned by " + binning : "")
                                + " give "
                                + rows
                                + " x "
                                + cols
                                + " patches of "
                                + patch
                                + " (the model was trained on frames of about "
                                + layout.gridRows() * layout.patchSize()
                                + "x"
                                + layout.gridCols() * layout.patchSize()
                                + " pixels after binning). Use the --binning and --patch-size the"
                                + " model was trained with, or train a model on this recording"
                                + " (./cst train --input ...)");
            }
        }
        String where = "in the task";
        if (config.get(org.cststream.job.cst.CstOptions.INFERENCE)
                == org.cststream.job.cst.CstOptions.Inference.SERVER) {
            String url = config.get(org.cststream.job.cst.CstOptions.SERVER_URL);
            where = "in the model server at " + url;
            try {
                java.net.http.HttpResponse<String> r =
                        java.net.http.HttpClient.newBuilder()
                                .connectTimeout(java.time.Duration.ofSeconds(5))
                                .build()
                                .send(
                                        java.net.http.HttpRequest.newBuilder(
                                                        java.net.URI.create(
                                                                url.replaceAll("/+$", "")
                                                                        + "/ready"))
                                                .timeout(java.time.Duration.ofSeconds(10))
                                                .build(),
                                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new IllegalArgumentException(
                            "the model server at "
                                    + url
                                    + " is not ready (HTTP "
                                    + r.statusCode()
                                    + ": "
                                    + r.body().strip()
                                    + "); wait until its /ready says 200, or check its log");
                }
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(
                        "cannot reach the model server at "
                                + url
                                + " ("
                                + (e.getMessage() == null
                                        ? "nothing answers there: " + e.getClass().getSimpleName()
                                        : e.getMessage())
                                + "); start it with ./cst serve --model "
                                + dir
                                + serverPortFlag(url)
                                + ", or leave out --cst-inference SERVER to run the model in the"
                                + " job",
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking the model server", e);
            }
        }
        System.out.printf(
                java.util.Locale.ROOT,
                "cst model        %s: %,d parameters, windows of %d frames of %d x %d patches of %d"
                        + " px, one frame every %.1f ms; runs %s%n",
                dir,
                parameters,
                layout.frames(),
                layout.gridRows(),
                layout.gridCols(),
                layout.patchSize(),
                layout.periodSeconds() * 1000,
                where);
    }

    /**
     * Returns the time between the recording's first two frames, seconds, or one over {@code fps}
     * when the file has no times.
     */
    static double cameraPeriod(RecordingReader recording, double fps) {
        try {
            if (recording.frameCount() >= 2) {
                long a = recording.read(0).acquisitionNanos;
                long b = recording.read(1).acquisitionNanos;
                if (b > a) {
                    return (b - a) / 1e9;
                }
            }
        } catch (java.io.IOException e) {
            // the replay reads it again and reports what is wrong
        }
        return fps > 0 ? 1 / fps : Double.NaN;
    }

    /** Returns " --port N" when {@code url} names a port other than cst serve's default. */
    private static String serverPortFlag(String url) {
        try {
            int port = java.net.URI.create(url).getPort();
            return port > 0 && port != org.cststream.model.serving.ModelServerOptions.DEFAULT_PORT
                    ? " --port " + port
                    : "";
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description =
                    "Replay a recording through Kafka (embedded unless --bootstrap-servers) and the"
                            + " frame job on a local Flink MiniCluster, then print a summary.")
    static final class Run implements Callable<Integer> {
        @Mixin ReplayArgs replay;
        @Mixin JobArgs job;
        @Mixin RunnerArgs runner;
        @Mixin LabelArgs labels;

        @Option(
                names = "--timeout-s",
                paramLabel = "S",
                defaultValue = "120",
                description =
                        "Wait this long for outputs after the replay. Default:"
                                + " ${DEFAULT-VALUE}.")
        long timeoutSeconds;

        /**
         * Returns the labels to stream in beside the frames for the decoder's live error, or null
         * when none were named.
         *
         * @throws IllegalArgumentException if labels are named without a decoder that reads them
         */
        private LocalPipeline.Labels labels(Configuration config, RecordingReader recording)
                throws java.io.IOException {
            labels.check(false);
            if (!labels.isSet()) {
                return null;
            }
            String topic = org.cststream.job.cst.CstOptions.labelsTopic(config);
            if (topic == null) {
                throw new IllegalArgumentException(
                        "--stimulus/--behaviour stream labels in for a decoder's live error: they"
                                + " need --cst-model and --cst-decoder, without --no-live-error");
            }
            org.cststream.model.decoding.Decoder d =
                    org.cststream.job.cst.CstOptions.decoder(config);
            boolean stimulus = labels.stimulus != null;
            if (stimulus
                    != (d.target().source()
                            == org.cststream.model.decoding.Decoder.LabelSource.STIMULUS)) {
                throw new IllegalArgumentException(
                        "the decoder reads "
                                + d.target().source().wireName()
                                + " labels; give "
                                + (stimulus ? "--behaviour" : "--stimulus")
                                + " instead");
            }
            List<byte[]> records = new java.util.ArrayList<>();
            String session = replay.session;
            if (stimulus) {
                labels.stimuli(session)
                        .forEach(
                                e -> records.add(org.cststream.source.labels.LabelCodec.encode(e)));
            } else {
                double period = org.cststream.job.cst.CstStage.layout(config).periodSeconds();
                labels.behaviour(session, recording instanceof PhantomRecording, period)
                        .forEach(
                                x -> records.add(org.cststream.source.labels.LabelCodec.encode(x)));
            }
            System.out.println(
                    "labels           "
                            + records.size()
                            + " "
                            + d.target().source().wireName()
                            + " record(s) from "
                            + labels.file()
                            + " to "
                            + topic
                            + " before the frames");
            return new LocalPipeline.Labels(topic, records);
        }

        @Override
        public Integer call() throws Exception {
            Configuration config = job.toConfiguration();
            ReplayOptions replayOptions = replay.toOptions();
            try (RecordingReader recording = open(replay)) {
                channelOrder(config, recording, replayOptions);
                FrameJobOptions.validateSettings(config);
                ReplaySource.check(recording, replayOptions);
                describe(recording, job);
                if (replayOptions.limit > 0 && replayOptions.limit < recording.frameCount()) {
                    System.out.println(
                            "limit            the first "
                                    + replayOptions.limit
                                    + " of "
                                    + recording.frameCount()
                                    + " frames");
                }
                if (replayOptions.reorderFraction > 0
                        && replayOptions.reorderDistance > job.maxOutOfOrder) {
                    System.out.println(
                            "warning          --reorder-distance "
                                    + replayOptions.reorderDistance
                                    + " exceeds --max-out-of-order "
                                    + job.maxOutOfOrder
                                    + ": frames moved that far will count as dropped and then"
                                    + " rejected as late");
                }
                checkCstModel(config, recording, cameraPeriod(recording, replay.fps));
                describeDecoder(config);
                LocalPipeline.Labels streamed = labels(config, recording);
                int port = CstMetrics.serve(runner.metricsHost, runner.metricsPort);
                String metricsUrl = "http://" + runner.metricsHost + ":" + port + "/metrics";
                System.out.println("metrics          " + metricsUrl);
                runner.startPictures();
                runner.configureFlinkMetrics(config);
                if (FrameJobOptions.isHemoActive(config)) {
                    System.out.println(
                            "channels         "
                                    + config.get(FrameJobOptions.CHANNEL_ORDER)
                                    + " nm, isosbestic "
                                    + FrameJobOptions.isosbesticNm(config)
                                    + " nm, "
                                    + (replayOptions.untagged
                                            ? "sent untagged (the job assigns them)"
                                            : "tagged")
                                    + "; correction "
                                    + config.get(FrameJobOptions.HEMO_METHOD)
                                            .name()
                                            .toLowerCase(java.util.Locale.ROOT));
                }
                RunReport report =
                        LocalPipeline.run(
                                recording,
                                replayOptions,
                                config,
                                runner.parallelism,
                                Duration.ofSeconds(timeoutSeconds),
                                recording instanceof PhantomRecording p ? p : null,
                                streamed);
                System.out.print(
                        report.format(
                                config.get(FrameJobOptions.BOOTSTRAP_SERVERS)
                                        + (job.bootstrapServers == null
                                                ? " (embedded, stopped on exit)"
                                                : ""),
                                metricsUrl));
                if (report.duplicates() > 0
                        || report.framesOut() + report.dropped()
                                < report.framesIn() + report.injectedDrops() - report.rejected()) {
                    System.err.println(
                            "error: outputs are incomplete or duplicated; see the log"
                                    + " above and "
                                    + logFile());
                    return 1;
                }
                return 0;
            } finally {
                CstMetrics.stopServing();
                org.cststream.pictures.PictureServer.stopShared();
            }
        }
    }

    @Command(
            name = "replay",
            mixinStandardHelpOptions = true,
            description = "Publish a recording to the frames topic of a running Kafka.")
    static final class Replay implements Callable<Integer> {
        @Mixin ReplayArgs replay;

        @Option(
                names = "--bootstrap-servers",
                required = true,
                paramLabel = "HOST:PORT",
                description = "Kafka to publish to.")
        String bootstrapServers;

        @Option(
                names = "--topic",
                paramLabel = "TOPIC",
                defaultValue = "cst.frames",
                description = "Frames topic. Default: ${DEFAULT-VALUE}.")
        String topic;

        @Option(
                names = "--kafka-property",
                paramLabel = "KEY=VALUE",
                description =
                        "Extra Kafka client setting (e.g. security.protocol=SASL_SSL); repeatable.")
        java.util.Map<String, String> kafkaProperties = new java.util.LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            try (RecordingReader recording = open(replay)) {
                System.out.println("input            " + recording.describe());
                Topics.ensure(
                        bootstrapServers, kafkaProperties, java.util.List.of(topic), 1, (short) 1);
                try (KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(
                                KafkaSettings.producer(bootstrapServers, kafkaProperties))) {
                    ReplayResult r =
                            new ReplaySource(
                                            recording,
                                            producer,
                                            topic,
                                            replay.toOptions(),
                                            CstMetrics.registry())
                                    .run();
                    System.out.printf(
                            "published %d frames to %s in %.1f s (%.1f frames/s);"
                                    + " dropped on purpose: %d, reordered pairs: %d%n",
                            r.framesPublished(),
                            topic,
                            r.elapsedNanos() / 1e9,
                            r.framesPerSecond(),
                            r.droppedIndices().size(),
                            r.reorderedPairs());
                }
            }
            return 0;
        }
    }

    @Command(
            name = "job",
            mixinStandardHelpOptions = true,
            description =
                    "Run the frame job on a local Flink MiniCluster against a running"
                            + " Kafka until interrupted.")
    static final class Job implements Callable<Integer> {
        @Mixin JobArgs job;
        @Mixin RunnerArgs runner;

        @Option(
                names = "--checkpoint-dir",
                paramLabel = "DIR",
                description =
                        "Keep the job's checkpoints here (they stay after Ctrl-C, for"
                                + " --restore); default a temporary folder.")
        Path checkpointDir;

        @Option(
                names = "--restore",
                paramLabel = "PATH|latest|auto",
                description =
                        "Start from this checkpoint (chk-N folder) or savepoint; latest: from"
                                + " the newest completed checkpoint in --checkpoint-dir; auto: the"
                                + " same, or fresh when there is none (for service scripts).")
        String restore;

        @Override
        public Integer call() throws Exception {
            Configuration config = job.toConfiguration();
            if (job.bootstrapServers == null) {
                System.err.println(
                        "error: --bootstrap-servers is required for 'cst job'"
                                + " (use 'cst run' for an embedded broker)");
                return 2;
            }
            Path checkpoints =
                    checkpointDir != null
                            ? java.nio.file.Files.createDirectories(checkpointDir)
                            : org.cststream.kafka.TempFolders.create("cst-checkpoints-");
            Path from = restorePath(checkpoints);
            checkCstModel(config, null, Double.NaN);
            if (config.get(FrameJobOptions.CHANNEL_ORDER).isEmpty()) {
                System.out.println(
                        "channels         no --channel-order: every channel is processed on its"
                            + " own, without hemodynamic correction; for an alternating rig pass"
                            + " e.g. --channel-order 470,405");
            }
            describeDecoder(config);
            Topics.ensure(
                    job.bootstrapServers,
                    job.kafkaProperties,
                    FrameJobOptions.topics(config),
                    runner.parallelism,
                    (short) 1);
            int metricsPort = CstMetrics.serve(runner.metricsHost, runner.metricsPort);
            System.out.println(
                    "metrics          http://"
                            + runner.metricsHost
                            + ":"
                            + metricsPort
                            + "/metrics");
            runner.startPictures();
            runner.configureFlinkMetrics(config);
            JobClient client;
            try {
                client =
                        FrameProcessingJob.forKafka(config)
                                .executeAsync(
                                        LocalPipeline.localEnvironment(
                                                runner.parallelism, checkpoints, config, from));
            } catch (Exception e) {
                if (from == null) {
                    throw e;
                }
                throw new IllegalArgumentException(
                        "cannot resume from "
                                + from
                                + " ("
                                + LocalPipeline.rootMessage(e)
                                        .replaceAll(" If you want to allow to skip this.*", "")
                                + "): it is damaged or was written by a job with other stages"
                                + " (other --channel-order, --hemo, --cst-model, ...); start with"
                                + " the options it was written with, or without --restore",
                        e);
            }
            System.out.println(
                    "frame job running, id "
                            + client.getJobID()
                            + (from != null ? ", resumed from " + from : "")
                            + "; checkpoints in "
                            + checkpoints
                            + "; Ctrl-C to stop");
            String resume =
                    checkpointDir != null
                            ? "--checkpoint-dir " + checkpointDir + " --restore latest"
                            : "--restore " + checkpoints + "/<job id>/chk-<n>";
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        System.out.println(
                                                "stopping the frame job; its checkpoints stay in "
                                                        + checkpoints
                                                        + ": resume with the same options and "
                                                        + resume);
                                        client.cancel();
                                    }));
            client.getJobExecutionResult().get();
            return 0;
        }

        /** Returns the checkpoint or savepoint to start from, or null to start fresh. */
        private Path restorePath(Path checkpoints) throws java.io.IOException {
            if (restore == null) {
                return null;
            }
            if (restore.equals("auto")) {
                return org.cststream.job.frames.Checkpoints.latest(checkpoints).orElse(null);
            }
            if (restore.equals("latest")) {
                if (checkpointDir == null) {
                    throw new IllegalArgumentException(
                            "--restore latest needs --checkpoint-dir: the folder the job that went"
                                    + " away kept its checkpoints in");
                }
                return org.cststream.job.frames.Checkpoints.latest(checkpoints)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "--restore latest: no completed checkpoint in "
                                                        + checkpoints
                                                        + " (a chk-N folder with _metadata); start"
                                                        + " without --restore"));
            }
            Path p = Path.of(restore);
            if (!java.nio.file.Files.exists(p)) {
                throw new IllegalArgumentException(
                        "--restore "
                                + restore
                                + ": no such folder; give a chk-N or savepoint-... folder, or"
                                + " latest with --checkpoint-dir");
            }
            if (!java.nio.file.Files.isRegularFile(p.resolve("_metadata"))) {
                throw new IllegalArgumentException(
                        "--restore "
                                + restore
                                + ": not a checkpoint or savepoint folder (it has no _metadata"
                                + " file); give a chk-N or savepoint-... folder, or latest");
            }
            return p;
        }
    }

    @Command(
            name = "broker",
            mixinStandardHelpOptions = true,
            description =
                    "Run a single-node Kafka broker (KRaft) on loopback until" + " interrupted.")
    static final class Broker implements Callable<Integer> {
        @Option(
                names = "--port",
                paramLabel = "PORT",
                defaultValue = "9092",
                description = "Client port on 127.0.0.1. Default: ${DEFAULT-VALUE}.")
        int port;

        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "Log directory, kept on exit; default a temporary one.")
        Path dir;

        @Override
        public Integer call() throws Exception {
            EmbeddedKafkaBroker broker =
                    dir == null
                            ? EmbeddedKafkaBroker.start(
                                    java.nio.file.Files.createTempDirectory("cst-kafka-"),
                                    true,
                                    port)
                            : EmbeddedKafkaBroker.start(dir, false, port);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        broker.close();
                                        stop.countDown();
                                    }));
            System.out.println(
                    "Kafka broker ready at "
                            + broker.bootstrapServers()
                            + " (logs in "
                            + broker.dataDir()
                            + "); Ctrl-C to stop");
            stop.await();
            return 0;
        }
    }
}
