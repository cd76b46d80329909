package org.cststream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.TokenCodec;
import org.cststream.job.cst.CstOptions;
import org.cststream.job.cst.CstWindowFunction;
import org.cststream.job.frames.Checkpoints;
import org.cststream.job.frames.FrameJobOptions;
import org.cststream.job.frames.FrameProcessingJob;
import org.cststream.job.frames.OutputReader;
import org.cststream.job.frames.SessionEvent;
import org.cststream.kafka.EmbeddedKafkaBroker;
import org.cststream.kafka.KafkaSettings;
import org.cststream.kafka.TempFolders;
import org.cststream.kafka.Topics;
import org.cststream.metrics.CstMetrics;
import org.cststream.model.CstConfig;
import org.cststream.model.CstModel;
import org.cststream.model.Normalisation;
import org.cststream.model.spirals.Plot;
import org.cststream.model.window.WindowLayout;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.SyntheticRecording;
import org.cststream.replay.ReplayOptions;
import org.cststream.replay.ReplayResult;
import org.cststream.replay.ReplaySource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cst bench soak}: a long replay at full speed, with dropped frames, through the embedded
 * broker and the job with its CST stage, sampling memory (heap, native memory with the JVM's own
 * share and the rest, which is mostly libtorch) and the size of the checkpointed state over time.
 * It ends with the counts every output must have: each frame sent comes out once, the dropped ones
 * are found, the CST's grid has every grid time once. The figures are printed, never judged; the
 * exit code says whether the counts match.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description =
                "Replay a long session at full speed with drops through the job and its CST"
                        + " stage; print heap, native memory and checkpointed state over time and"
                        + " end with counts that must match (exit code 1 if they do not).")
final class SoakBench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MIB = 1024.0 * 1024.0;

    @Option(
            names = "--frames",
            paramLabel = "N",
            defaultValue = "200000",
            description = "Frames to replay. Default: ${DEFAULT-VALUE}.")
    int frames;

    @Option(
            names = "--size",
            paramLabel = "PIXELS",
            defaultValue = "64",
            description = "Side of the square uint16 frames. Default: ${DEFAULT-VALUE}.")
    int size;

    @Option(
            names = "--fps",
            paramLabel = "FPS",
            defaultValue = "100",
            description =
                    "Frame rate of the frames' timestamps (the replay itself runs at full"
                            + " speed). Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(
            names = "--drop",
            paramLabel = "FRACTION",
            defaultValue = "0.01",
            description = "Fraction of frames the replay drops. Default: ${DEFAULT-VALUE}.")
    double drop;

    @Option(names = "--no-cst", description = "Leave out the CST stage (and DJL).")
    boolean noCst;

    @Option(
            names = "--exactly-once",
            description = "Transactional sinks; outputs are read with read_committed.")
    boolean exactlyOnce;

    @Option(
            names = "--checkpoint-interval-ms",
            paramLabel = "MS",
            defaultValue = "5000",
            description = "Flink checkpoint interval. Default: ${DEFAULT-VALUE}.")
    long checkpointMillis;

    @Option(
            names = "--sample-s",
            paramLabel = "S",
            defaultValue = "10",
            description = "Seconds between samples. Default: ${DEFAULT-VALUE}.")
    int sampleSeconds;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            defaultValue = "cst-output/soak",
            description = "Folder for soak-samples.csv and soak.png. Default: ${DEFAULT-VALUE}.")
    Path out;

    /** One sample. Memory in bytes; -1 when not measured. */
    record Sample(
            double seconds,
            long published,
            long dffOut,
            long filledOut,
            long heapUsed,
            long heapAfterGc,
            long rss,
            long nativeJvm,
            long stateBytes) {
        long otherNative() {
            return rss > 0 && nativeJvm > 0 ? rss - nativeJvm : -1;
        }
    }

    /** What the output reader has seen: frame ids per output, duplicates and events. */
    private static final class Seen {
        final BitSet dff = new BitSet();
        final BitSet tokens = new BitSet();
        final BitSet filled = new BitSet();
        final AtomicLong duplicates = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        volatile SessionEvent end;
        volatile SessionEvent fillEnd;
        volatile boolean stopped;

        synchronized void add(BitSet set, long id) {
            if (id < 0 || id > Integer.MAX_VALUE || set.get((int) id)) {
                duplicates.incrementAndGet();
            } else {
                set.set((int) id);
            }
        }

        synchronized long count(BitSet set) {
            return set.cardinality();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (frames < 1000 || size < 16 || drop < 0 || drop >= 0.5 || sampleSeconds < 1) {
            throw new IllegalArgumentException(
                    "--frames must be >= 1000, --size >= 16 pixels, --drop in [0, 0.5),"
                            + " --sample-s >= 1");
        }
        Files.createDirectories(out);
        Path work = TempFolders.create("cst-soak-");
        Path checkpoints = work.resolve("checkpoints");
        boolean cst = !noCst;
        System.out.printf(
                Locale.ROOT,
                "soak             %d frames of %dx%d uint16 at full speed, %.1f%% dropped,"
                        + " CST stage %s, %s sinks, checkpoints every %d ms%n",
                frames,
                size,
                size,
                100 * drop,
                cst ? "on" : "off",
                exactlyOnce ? "exactly-once" : "at-least-once",
                checkpointMillis);
        System.out.println(
                "native memory    "
                        + (nativeJvmBytes() >= 0
                                ? "JVM share from Native Memory Tracking, the rest = RSS - JVM"
                                : "Native Memory Tracking is off (run with"
                                        + " -XX:NativeMemoryTracking=summary to split RSS)"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
                RecordingReader recording =
                        new RepeatedRecording(
                                new InMemoryRecording(
                                        new SyntheticRecording(5, 1000, size, size, fps), 1000),
                                (frames + 999) / 1000)) {
            Configuration job = job(broker.bootstrapServers(), cst, work);
            Topics.ensure(
                    broker.bootstrapServers(), Map.of(), FrameJobOptions.topics(job), 1, (short) 1);
            JobClient client =
                    FrameProcessingJob.forKafka(job)
                            .executeAsync(LocalPipeline.localEnvironment(1, checkpoints));
            Seen seen = new Seen();
            Thread reader = reader(broker.bootstrapServers(), job, seen);
            ReplayOptions replay =
                    ReplayOptions.builder()
                            .sessionId("soak")
                            .fps(fps)
                            .asFastAsPossible(true)
                            .dropFraction(drop)
                            .limit(frames)
                            .seed(17)
                            .showProgress(false)
                            .build();
            long start = System.nanoTime();
            AtomicLong published = new AtomicLong();
            CompletableFuture<ReplayResult> replayed = replay(broker, job, recording, replay);
            List<Sample> samples = new ArrayList<>();
            System.out.printf(
                    "%n%8s %10s %10s %10s %10s %10s %10s %10s %10s %10s%n",
                    "seconds",
                    "published",
                    "dF/F out",
                    "CST out",
                    "heap MiB",
                    "afterGC",
                    "RSS MiB",
                    "JVM nat.",
                    "other nat.",
                    "state KiB");
            long deadline = System.nanoTime() + Duration.ofHours(3).toNanos();
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                Thread.sleep(sampleSeconds * 1000L);
                JobStatus status = client.getJobStatus().get();
                if (status.isGloballyTerminalState()) {
                    throw new IllegalStateException(
                            "the frame job ended (" + status + ") during the soak; see the log");
                }
                published.set(CstMetricsProbe.published("soak"));
                Sample s = sample(start, published.get(), seen, checkpoints);
                samples.add(s);
                print(s);
                done = isDone(replayed, seen, cst);
            }
            ReplayResult result = replayed.get();
            seen.stopped = true;
            reader.join(10_000);
            client.cancel().get();
            return report(result, seen, samples, cst);
        } finally {
            TempFolders.delete(work);
        }
    }

    /** The job's options as {@code cst run} has them, with the soak's checkpoints and model. */
    private Configuration job(String servers, boolean cst, Path work) throws IOException {
        Cst.Run run = new Cst.Run();
        new CommandLine(run).setCaseInsensitiveEnumValuesAllowed(true).parseArgs();
        Configuration c = run.job.toConfiguration();
        c.set(FrameJobOptions.BOOTSTRAP_SERVERS, servers);
        c.set(FrameJobOptions.GROUP_ID, "soak");
        c.set(FrameJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(checkpointMillis));
        c.set(FrameJobOptions.EXACTLY_ONCE, exactlyOnce);
        if (cst) {
            // an untrained model exercises the same engine, memory and windows as a trained one
            CstConfig config = CstConfig.widefieldSmall(16);
            Path model = work.resolve("model");
            try (CstModel m = CstModel.create(config, Normalisation.identity(config.valueDim))) {
                ObjectNode notes = JSON.createObjectNode();
                int grid = (size + 15) / 16;
                notes.set(
                        WindowLayout.NOTES_KEY,
                        JSON.valueToTree(new WindowLayout(grid, grid, 16, 1 / fps, 10)));
                m.save(model, notes);
            }
            c.set(CstOptions.MODEL, model.toString());
        }
        FrameJobOptions.validateSettings(c);
        return c;
    }

    private static CompletableFuture<ReplayResult> replay(
            EmbeddedKafkaBroker broker,
            Configuration job,
            RecordingReader recording,
            ReplayOptions options) {
        CompletableFuture<ReplayResult> result = new CompletableFuture<>();
        Thread t =
                new Thread(
                        () -> {
                            try (KafkaProducer<String, byte[]> producer =
                                    new KafkaProducer<>(
                                            KafkaSettings.producer(
                                                    broker.bootstrapServers(), Map.of()))) {
                                result.complete(
                                        new ReplaySource(
                                                        recording,
                                                        producer,
                                                        job.get(FrameJobOptions.FRAMES_TOPIC),
                                                        options,
                                                        CstMetrics.registry())
                                                .run());
                            } catch (Exception e) {
                                result.completeExceptionally(e);
                            }
                        },
                        "soak-replay");
        t.setDaemon(true);
        t.start();
        return result;
    }

    /** Reads every output as it is written (read-committed) and counts frame ids and events. */
    private static Thread reader(String servers, Configuration job, Seen seen) {
        String dff = job.get(FrameJobOptions.DFF_TOPIC);
        String tokens = job.get(FrameJobOptions.TOKENS_TOPIC);
        String events = job.get(FrameJobOptions.EVENTS_TOPIC);
        boolean cst = CstOptions.enabled(job);
        String filled = job.get(CstOptions.FILLED_TOPIC);
        List<String> topics = new ArrayList<>(List.of(dff, tokens, events));
        if (cst) {
            topics.add(filled);
        }
        Thread t =
                new Thread(
                        () -> {
                            try (OutputReader r = new OutputReader(servers, Map.of(), topics)) {
                                r.consume(
                                        rec -> count(rec, dff, tokens, filled, seen),
                                        () -> seen.stopped,
                                        Duration.ofHours(4));
                            }
                        },
                        "soak-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void count(
            ConsumerRecord<String, byte[]> r, String dff, String tokens, String filled, Seen s) {
        try {
            if (r.topic().equals(dff)) {
                s.add(s.dff, FrameCodec.decode(r.value()).frameCounter);
            } else if (r.topic().equals(tokens)) {
                s.add(s.tokens, TokenCodec.decode(r.value()).frameCounter);
            } else if (r.topic().equals(filled)) {
                s.add(s.filled, FrameCodec.decode(r.value()).frameCounter);
            } else {
                SessionEvent e = OutputReader.event(r);
                switch (e.type) {
                    case SessionEvent.GAP -> s.gaps.addAndGet(e.count);
                    case SessionEvent.SESSION_END -> s.end = e;
                    case CstWindowFunction.FILL_END -> s.fillEnd = e;
                    default -> {}
                }
            }
        } catch (org.cststream.frame.FrameFormatException e) {
            throw new IllegalStateException("unreadable output at offset " + r.offset(), e);
        }
    }

    private static boolean isDone(CompletableFuture<ReplayResult> replayed, Seen s, boolean cst)
            throws Exception {
        if (!replayed.isDone() || s.end == null) {
            return false;
        }
        long sent = replayed.get().framesPublished();
        boolean frames = s.count(s.dff) >= sent && s.count(s.tokens) >= sent;
        return frames && (!cst || (s.fillEnd != null && s.count(s.filled) >= s.fillEnd.count));
    }

    private static Sample sample(long start, long published, Seen s, Path checkpoints)
            throws IOException {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long state = -1;
        var latest = Checkpoints.latest(checkpoints);
        if (latest.isPresent()) {
            state = Checkpoints.sizeBytes(latest.get());
        }
        return new Sample(
                (System.nanoTime() - start) / 1e9,
                published,
                s.count(s.dff),
                s.count(s.filled),
                heap.getUsed(),
                heapAfterLastGc(),
                rssBytes(),
                nativeJvmBytes(),
                state);
    }

    private static void print(Sample s) {
        System.out.printf(
                Locale.ROOT,
                "%8.0f %10d %10d %10d %10s %10s %10s %10s %10s %10s%n",
                s.seconds(),
                s.published(),
                s.dffOut(),
                s.filledOut(),
                mib(s.heapUsed()),
                mib(s.heapAfterGc()),
                mib(s.rss()),
                mib(s.nativeJvm()),
                mib(s.otherNative()),
                s.stateBytes() < 0
                        ? "-"
                        : String.format(Locale.ROOT, "%.0f", s.stateBytes() / 1024.0));
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%.0f", bytes / MIB);
    }

    /** Prints the counts and the trend of each measure; returns the exit code. */
    private int report(ReplayResult r, Seen s, List<Sample> samples, boolean cst)
            throws IOException {
        long sent = r.framesPublished();
        long injected = r.droppedIndices().size();
        long dffOut = s.count(s.dff);
        long tokensOut = s.count(s.tokens);
        boolean framesOk = dffOut == sent && tokensOut == sent && s.duplicates.get() == 0;
        boolean dropsOk = s.gaps.get() == injected;
        long grid = s.fillEnd == null ? -1 : s.fillEnd.count;
        boolean gridOk =
                !cst || (grid > 0 && s.count(s.filled) == grid && s.filled.nextClearBit(0) == grid);
        System.out.printf(
                "%n== soak: %d frames ==%n"
                        + "frames in        %d published (the replay dropped %d on purpose)%n"
                        + "frames out       %d dF/F, %d token records, %d repeated%n"
                        + "dropped          %d found by the job (injected: %d)%n",
                frames,
                sent,
                injected,
                dffOut,
                tokensOut,
                s.duplicates.get(),
                s.gaps.get(),
                injected);
        if (cst) {
            System.out.printf(
                    "CST grid         %d grid times out, none twice, 0..%d complete: %s%n",
                    s.count(s.filled), grid - 1, gridOk ? "yes" : "NO");
        }
        double seconds = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).seconds();
        System.out.printf(
                Locale.ROOT,
                "throughput       %.0f frames/s over %.0f s%n",
                sent / seconds,
                seconds);
        trend("heap after GC", samples, Sample::heapAfterGc);
        trend("RSS", samples, Sample::rss);
        trend("JVM native", samples, Sample::nativeJvm);
        trend("other native", samples, Sample::otherNative);
        trend("checkpoint", samples, Sample::stateBytes);
        write(samples);
        boolean ok = framesOk && dropsOk && gridOk;
        System.out.println(
                "counts           "
                        + (ok
                                ? "match: every frame out once, every drop found"
                                : "DO NOT MATCH: see the lines above"));
        return ok ? 0 : 1;
    }

    /**
     * Prints a measure's mean over the middle and the last third of the run (the first third is
     * warm-up) and its change per 100,000 frames processed between them.
     */
    private static void trend(
            String name, List<Sample> samples, java.util.function.ToLongFunction<Sample> f) {
        int n = samples.size();
        if (n < 6 || f.applyAsLong(samples.get(n - 1)) < 0) {
            return;
        }
        double[] middle = thirds(samples, f, n / 3, 2 * n / 3);
        double[] last = thirds(samples, f, 2 * n / 3, n);
        double frames = last[1] - middle[1];
        double per100k = frames > 0 ? (last[0] - middle[0]) / frames * 100_000 : 0;
        System.out.printf(
                Locale.ROOT,
                "%-16s %.1f MiB in the middle third, %.1f MiB in the last (%+.1f MiB per 100,000"
                        + " frames)%n",
                name,
                middle[0] / MIB,
                last[0] / MIB,
                per100k / MIB);
    }

    /**
     * Returns the mean of the measure and of frames processed (dF/F out) over samples [from, to):
     * at full speed the replay has published everything long before the job is through, so
     * processed frames are the soak's clock.
     */
    private static double[] thirds(
            List<Sample> samples, java.util.function.ToLongFunction<Sample> f, int from, int to) {
        double v = 0;
        double p = 0;
        for (int i = from; i < to; i++) {
            v += f.applyAsLong(samples.get(i));
            p += samples.get(i).dffOut();
        }
        return new double[] {v / (to - from), p / (to - from)};
    }

    /** Writes the samples as CSV and as a picture of memory and state over time. */
    private void write(List<Sample> samples) throws IOException {
        StringBuilder csv =
                new StringBuilder(
                        "seconds,published,dff_out,cst_out,heap_used_bytes,heap_after_gc_bytes,"
                                + "rss_bytes,jvm_native_bytes,other_native_bytes,state_bytes\n");
        int n = samples.size();
        double[] t = new double[n];
        double[][] series = new double[7][n];
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            csv.append(
                    String.format(
                            Locale.ROOT,
                            "%.1f,%d,%d,%d,%d,%d,%d,%d,%d,%d%n",
                            s.seconds(),
                            s.published(),
                            s.dffOut(),
                            s.filledOut(),
                            s.heapUsed(),
                            s.heapAfterGc(),
                            s.rss(),
                            s.nativeJvm(),
                            s.otherNative(),
                            s.stateBytes()));
            t[i] = s.seconds();
            series[0][i] = s.published();
            series[1][i] = s.dffOut();
            series[2][i] = s.heapAfterGc() / MIB;
            series[3][i] = s.rss() / MIB;
            series[4][i] = Math.max(0, s.nativeJvm()) / MIB;
            series[5][i] = Math.max(0, s.otherNative()) / MIB;
            series[6][i] = Math.max(0, s.stateBytes()) / 1024.0;
        }
        Files.writeString(out.resolve("soak-samples.csv"), csv);
        if (n < 2) {
            return;
        }
        List<Plot> panels =
                List.of(
                        new Plot("frames", "time, s", "frames")
                                .line(t, series[0], new Color(0x1f77b4), 2f, "published")
                                .line(t, series[1], new Color(0xff7f0e), 2f, "dF/F out"),
                        new Plot("memory", "time, s", "MiB")
                                .line(t, series[2], new Color(0x2ca02c), 2f, "heap after GC")
                                .line(t, series[3], new Color(0xd62728), 2f, "RSS")
                                .line(t, series[4], new Color(0x9467bd), 2f, "JVM native (NMT)")
                                .line(t, series[5], new Color(0x8c564b), 2f, "other native"),
                        new Plot("checkpointed state", "time, s", "KiB")
                                .line(t, series[6], new Color(0x17becf), 2f, "latest checkpoint"));
        Plot.writePng(Plot.render(panels, 3, 420, 320), out.resolve("soak.png"));
        System.out.println(
                "written          "
                        + out.resolve("soak-samples.csv")
                        + ", "
                        + out.resolve("soak.png"));
    }

    /** Returns the heap in use right after the latest garbage collection, bytes; -1 if none. */
    private static long heapAfterLastGc() {
        long latestEnd = -1;
        long used = -1;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
                com.sun.management.GcInfo info = sun.getLastGcInfo();
                if (info != null && info.getEndTime() > latestEnd) {
                    latestEnd = info.getEndTime();
                    used = 0;
                    for (var pool : info.getMemoryUsageAfterGc().entrySet()) {
                        if (isHeapPool(pool.getKey())) {
                            used += pool.getValue().getUsed();
                        }
                    }
                }
            }
        }
        return used;
    }

    private static boolean isHeapPool(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("eden")
                || n.contains("survivor")
                || n.contains("old")
                || n.contains("tenured");
    }

    /** Returns this process's resident set size from /proc, bytes; -1 elsewhere. */
    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    private static final Pattern NMT_TOTAL = Pattern.compile("Total:.*?committed=(\\d+)KB");

    /**
     * Returns the native memory the JVM itself has committed (Native Memory Tracking: heap, class
     * metadata, threads, code, GC, direct buffers...), bytes; -1 when tracking is off.
     */
    private static long nativeJvmBytes() {
        try {
            Object text =
                    ManagementFactory.getPlatformMBeanServer()
                            .invoke(
                                    new javax.management.ObjectName(
                                            "com.sun.management:type=DiagnosticCommand"),
                                    "vmNativeMemory",
                                    new Object[] {new String[] {"summary"}},
                                    new String[] {String[].class.getName()});
            Matcher m = NMT_TOTAL.matcher(String.valueOf(text));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The replay's published-frames counter. */
    private static final class CstMetricsProbe {
        static long published(String session) {
            return Math.round(
                    CstMetrics.registry()
                            .find(org.cststream.metrics.MetricNames.REPLAY_PUBLISHED)
                            .tag(org.cststream.metrics.MetricNames.TAG_SESSION, session)
                            .counters()
                            .stream()
                            .mapToDouble(io.micrometer.core.instrument.Counter::count)
                            .sum());
        }
    }
}
