package org.cststream.job.frames;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cststream.frame.Frame;
import org.cststream.job.frames.hemo.HemoSettings;
import org.cststream.job.frames.hemo.HemoTileCorrector;
import org.cststream.job.frames.hemo.HemoTileState;
import org.cststream.job.frames.hemo.TileGeometry;

/**
 * The frame job's two-channel stages on one thread, without Flink: dF/F per channel ({@link
 * DffFunction#update}), pairing ({@link ChannelPairer}), tiles ({@link HemoTileSplitFunction}),
 * correction ({@link HemoTileCorrector}) and assembly. The same code as the job's operators, for
 * benchmarks that compare methods on one session, time the correction, or measure its state. Frames
 * must carry their channel and come in counter order, one session.
 */
public final class TwoChannelStages {
    /** One corrected calcium frame with what went into it. */
    public static final class Output {
        /** The pair the correction got. */
        public FramePair pair;

        /** Corrected dF/F (band-limited, centred), row-major. */
        public float[] corrected;

        /** The same, z-scored. */
        public float[] z;

        /** Nanoseconds the pairing's output spent in tiles, correction and assembly. */
        public long correctionNanos;

        /** MMSE estimators computed for this frame. */
        public int estimatorUpdates;
    }

    private final HemoSettings settings;
    private final long tauNanos;
    private final int warmupFrames;
    private final double minBaseline;
    private final ChannelPairer pairer;
    private final ChannelPairState pairState = new ChannelPairState();
    private final HemoTileCorrector corrector;
    private final Map<String, BaselineState> baselines = new HashMap<>();
    private final Map<String, HemoTileState> tiles = new HashMap<>();

    /**
     * @param settings the correction, or null to stop after the pairing
     * @param isosbesticLabel label of the isosbestic channel, e.g. {@code 405nm}
     * @param calciumLabels labels of the calcium channels
     * @param maxWait the pairing's wait bound, counters
     * @param tauNanos the dF/F baseline's time constant
     * @param warmupFrames the dF/F baseline's warm-up
     * @param minBaseline the smallest usable baseline, counts
     */
    public TwoChannelStages(
            HemoSettings settings,
            String isosbesticLabel,
            Set<String> calciumLabels,
            int maxWait,
            long tauNanos,
            int warmupFrames,
            double minBaseline) {
        this.settings = settings;
        this.tauNanos = tauNanos;
        this.warmupFrames = warmupFrames;
        this.minBaseline = minBaseline;
        this.pairer = new ChannelPairer(isosbesticLabel, calciumLabels, maxWait);
        this.corrector = settings == null ? null : new HemoTileCorrector(settings);
    }

    /** Returns the dF/F of one frame, as the job computes it. */
    public DffFrame dff(Frame frame) {
        BaselineState s =
                baselines.computeIfAbsent(
                        frame.channelLabel(),
                        k -> {
                            BaselineState b = new BaselineState();
                            b.width = frame.width;
                            b.height = frame.height;
                            b.f0 = new float[frame.width * frame.height];
                            return b;
                        });
        int[] counts = new int[2];
        DffFrame d =
                DffFrame.from(
                        frame,
                        DffFunction.update(s, frame, tauNanos, warmupFrames, minBaseline, counts));
        d.invalidPixels = counts[0] + counts[1];
        return d;
    }

    /** Takes the session's next frame and returns the calcium frames it completes. */
    public List<Output> accept(Frame frame) {
        List<FramePair> pairs = new ArrayList<>();
        pairer.accept(pairState, dff(frame), pairs::add, f -> {});
        return correct(pairs);
    }

    /** Pairs the frames still waiting (the end of the session) and returns them corrected. */
    public List<Output> finish() {
        List<FramePair> pairs = new ArrayList<>();
        pairer.flush(pairState, pairs::add);
        return correct(pairs);
    }

    private List<Output> correct(List<FramePair> pairs) {
        List<Output> out = new ArrayList<>();
        for (FramePair p : pairs) {
            out.add(correct(p));
        }
        return out;
    }

    /**
     * Corrects one pair (pairs of one session in counter order, e.g. from another instance built
     * without a correction), timing the tiles, correction and assembly.
     */
    public Output correct(FramePair p) {
        Output o = new Output();
        o.pair = p;
        if (corrector != null) {
            long start = System.nanoTime();
            DffFrame c = p.calcium;
            o.corrected = new float[c.values.length];
            o.z = new float[c.values.length];
            for (HemoTile t :
                    HemoTileSplitFunction.split(p, settings.tileSize(), settings.tileMargin())) {
                HemoTileState st = tiles.computeIfAbsent(t.stateKey(), k -> new HemoTileState());
                HemoTileCorrector.Result r =
                        corrector.process(
                                st,
                                t.window(),
                                t.interior(),
                                t.calcium,
                                t.isosbestic,
                                t.haveIsosbestic,
                                t.acquisitionNanos);
                TileGeometry.paste(r.corrected, t.interior(), o.corrected, c.width);
                TileGeometry.paste(r.z, t.interior(), o.z, c.width);
                o.estimatorUpdates += r.estimatorUpdates;
            }
            o.correctionNanos = System.nanoTime() - start;
        }
        return o;
    }

    /** Returns the bytes held by the correction's state (all tiles) and the pairing's. */
    public long stateBytes() {
        long bytes = 0;
        for (HemoTileState st : tiles.values()) {
            bytes += st.sizeBytes();
        }
        if (pairState.lastIsosbestic != null) {
            bytes += 4L * pairState.lastIsosbestic.values.length;
        }
        for (DffFrame w : pairState.waiting) {
            bytes += 4L * w.values.length;
        }
        return bytes;
    }
}
