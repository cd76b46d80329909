package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cststream.frame.Frame;
import org.cststream.job.frames.hemo.FrameHighPass;
import org.cststream.job.frames.hemo.HemoMethod;
import org.cststream.job.frames.hemo.HemoSettings;
import org.cststream.job.frames.hemo.PixelQuality;
import org.cststream.recording.phantom.PhantomRecording;
import org.junit.jupiter.api.Test;

/**
 * Phantom sessions through the two-channel operators (each in its Flink test harness): the cases
 * real rigs produce, each checked for correct output and for NaN or infinite values.
 */
class HemoChainTest {
    private static final long SESSION_END_MILLIS = 10_000;

    private static HemoSettings settings(HemoMethod method) {
        return HemoSettings.defaults(method).withTileSize(16).withCalibrationFrames(50);
    }

    /** Reads the phantom's frames, untagged, as a camera without channel metadata sends them. */
    private static List<Frame> frames(PhantomRecording p, String session, Set<Long> dropped) {
        List<Frame> out = new ArrayList<>();
        for (int i = 0; i < p.frameCount(); i++) {
            if (dropped.contains((long) i)) {
                continue;
            }
            Frame f = p.read(i);
            f.sessionId = session;
            f.cameraId = "phantom";
            f.channelNm = 0;
            f.hostReceiveNanos = f.acquisitionNanos;
            out.add(f);
        }
        return out;
    }

    private static void assertFinite(List<DffFrame> frames) {
        for (DffFrame d : frames) {
            for (float v : d.values) {
                assertThat(Float.isFinite(v)).as("frame %d", d.frameCounter).isTrue();
            }
        }
    }

    /**
     * Returns the median correlation over brain pixels with the phantom's truth (high-passed like
     * the correction) of the corrected frames and of the uncorrected calcium dF/F, after the
     * calibration.
     */
    private static double[] quality(HemoChain chain, PhantomRecording p, int channel, int skip) {
        boolean[] mask = new boolean[p.width() * p.height()];
        float[] brain = p.brainMask();
        boolean[] saturated = p.saturatedMask();
        for (int i = 0; i < mask.length; i++) {
            mask[i] = brain[i] > 0.9f && !saturated[i];
        }
        double hz = HemoSettings.defaults(HemoMethod.REGRESSION).highpassHz();
        Map<Long, DffFrame> raw = new HashMap<>();
        for (DffFrame d : chain.dffFrames) {
            raw.put(d.frameCounter, d);
        }
        FrameHighPass truthFilter = new FrameHighPass(mask.length, hz);
        FrameHighPass rawFilter = new FrameHighPass(mask.length, hz);
        PixelQuality corrected = new PixelQuality(mask);
        PixelQuality uncorrected = new PixelQuality(mask);
        int k = 0;
        for (DffFrame c : chain.out) {
            if (c.channelNm != channel) {
                continue;
            }
            int index = (int) c.frameCounter;
            float[] truth = truthFilter.apply(p.neuralFrame(index), c.acquisitionNanos);
            float[] before = rawFilter.apply(raw.get(c.frameCounter).values, c.acquisitionNanos);
            if (k++ >= skip) {
                corrected.add(c.values, truth);
                uncorrected.add(before, truth);
            }
        }
        return new double[] {
            corrected.summary().medianCorrelation(), uncorrected.summary().medianCorrelation()
        };
    }

    @Test
    void bothMethodsBringATwoChannelSessionCloserToItsTruth() throws Exception {
        PhantomRecording p =
                PhantomRecording.open(
                        "phantom:neural=synthetic,size=50x38,frames=600,fps=20,seed=3,hemo=2");
        for (HemoMethod method : new HemoMethod[] {HemoMethod.REGRESSION, HemoMethod.MMSE}) {
            try (HemoChain chain = new HemoChain(List.of(470, 405), 405, settings(method))) {
                chain.feed(frames(p, "s", Set.of()));
                chain.idle(SESSION_END_MILLIS);

                assertThat(chain.out).hasSize(300);
                assertThat(chain.out.get(0).width).isEqualTo(50);
                assertThat(chain.out.get(0).height).isEqualTo(38);
                assertFinite(chain.out);
                double[] q = quality(chain, p, 470, 60);
                assertThat(q[0])
                        .as("%s corrected vs uncorrected %s", method, q[1])
                        .isGreaterThan(q[1] + 0.1);
                assertThat(chain.events(SessionEvent.HEMO_CALIBRATED)).hasSize(1);
            }
        }
    }

    @Test
    void aSessionThatStartsOnTheIsosbesticChannelIsRelabelledAndCorrected() throws Exception {
        PhantomRecording p =
                PhantomRecording.open("phantom:neural=synthetic,size=32,frames=300,start=1,seed=4");
        try (HemoChain chain =
                new HemoChain(List.of(470, 405), 405, settings(HemoMethod.REGRESSION))) {
            chain.feed(frames(p, "s", Set.of()));
            chain.idle(SESSION_END_MILLIS);

            assertThat(chain.events(SessionEvent.CHANNEL_SWAP)).hasSize(1);
            for (DffFrame d : chain.dffFrames) {
                assertThat(d.channelNm).isEqualTo(p.channelOf((int) d.frameCounter));
            }
            assertThat(chain.out)
                    .hasSize(150)
                    .allSatisfy(d -> assertThat(d.channelNm).isEqualTo(470));
            assertFinite(chain.out);
        }
    }

    @Test
    void aDroppedIsosbesticFrameAndARunOfDropsLoseNoCalciumFrame() throws Exception {
        PhantomRecording p =
                PhantomRecording.open("phantom:neural=synthetic,size=32,frames=400,seed=5");
        java.util.Set<Long> dropped = new java.util.HashSet<>();
        dropped.add(81L); // one isosbestic frame
        for (long c = 200; c < 240; c++) {
            dropped.add(c); // a run of 40 frames
        }
        try (HemoChain chain = new HemoChain(List.of(470, 405), 405, settings(HemoMethod.MMSE))) {
            chain.feed(frames(p, "s", dropped));
            chain.idle(SESSION_END_MILLIS);

            long calciumSent =
                    frames(p, "s", dropped).stream().filter(f -> f.frameCounter % 2 == 0).count();
            assertThat(chain.out).hasSize((int) calciumSent);
            assertFinite(chain.out);
            FramePair bridged =
                    chain.pairs.stream()
                            .filter(x -> x.calcium.frameCounter == 80)
                            .findFirst()
                            .get();
            assertThat(bridged.kind).isEqualTo(FramePair.INTERPOLATED);
            assertThat(bridged.nextIsosbestic).isEqualTo(83);
            FramePair afterRun =
                    chain.pairs.stream()
                            .filter(x -> x.calcium.frameCounter == 240)
                            .findFirst()
                            .get();
            assertThat(afterRun.kind).isEqualTo(FramePair.HELD);
            assertThat(chain.events(SessionEvent.CHANNEL_SWAP)).isEmpty();
        }
    }

    @Test
    void threeInterleavedChannelsHaveBothCalciumChannelsCorrected() throws Exception {
        PhantomRecording p =
                PhantomRecording.open(
                        "phantom:neural=synthetic,size=32x24,frames=900,fps=30,"
                                + "channels=470/395/575,seed=6");
        try (HemoChain chain =
                new HemoChain(List.of(470, 395, 575), 395, settings(HemoMethod.REGRESSION))) {
            chain.feed(frames(p, "s", Set.of()));
            chain.idle(SESSION_END_MILLIS);

            assertThat(chain.out.stream().filter(d -> d.channelNm == 470)).hasSize(300);
            assertThat(chain.out.stream().filter(d -> d.channelNm == 575)).hasSize(300);
            assertFinite(chain.out);
            double[] blue = quality(chain, p, 470, 60);
            double[] red = quality(chain, p, 575, 60);
            assertThat(blue[0]).isGreaterThan(blue[1]);
            assertThat(red[0]).isGreaterThan(red[1]);
        }
    }

    @Test
    void saturatedAndZeroBaselinePixelsComeOutAsZeroNeverNan() throws Exception {
        PhantomRecording p =
                PhantomRecording.open(
                        "phantom:neural=synthetic,size=40x24,frames=240,glint=on,"
                                + "photons=30000,seed=7");
        List<Frame> frames = frames(p, "s", Set.of());
        boolean[] saturated = p.saturatedMask();
        int glint = -1;
        for (int i = 0; i < saturated.length && glint < 0; i++) {
            glint = saturated[i] ? i : -1;
        }
        for (Frame f : frames) {
            // pixel 0 reads 0 counts throughout: a baseline of zero
            ByteBuffer.wrap(f.pixels).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) 0);
        }
        for (HemoMethod method : new HemoMethod[] {HemoMethod.REGRESSION, HemoMethod.MMSE}) {
            try (HemoChain chain = new HemoChain(List.of(470, 405), 405, settings(method))) {
                chain.feed(frames);
                chain.idle(SESSION_END_MILLIS);

                assertThat(glint).isNotNegative();
                assertThat(chain.out).hasSize(120);
                assertFinite(chain.out);
                assertThat(chain.out).allSatisfy(d -> assertThat(d.values[0]).isZero());
                DffFrame last = chain.dffFrames.get(chain.dffFrames.size() - 1);
                assertThat(last.invalidPixels).isPositive();
            }
        }
    }
}
