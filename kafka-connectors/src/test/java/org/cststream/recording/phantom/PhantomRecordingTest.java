package org.cststream.recording.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelConversion;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PhantomRecordingTest {
    private static PhantomRecording phantom(String spec) throws Exception {
        return PhantomRecording.open("phantom:neural=synthetic,size=48," + spec);
    }

    @Test
    void sameSettingsGiveTheSamePixelsInAnyReadOrder() throws Exception {
        PhantomRecording a = phantom("frames=40");
        PhantomRecording b = phantom("frames=40");

        b.read(30);
        byte[] again = b.read(7).pixels;

        assertThat(again).isEqualTo(a.read(7).pixels);
        assertThat(a.read(8).pixels).isNotEqualTo(a.read(7).pixels);
    }

    @Test
    void framesCarryTheirChannelAndTimeAndAlternateFromTheStartChannel() throws Exception {
        PhantomRecording p = phantom("frames=6,fps=20,channels=470/405,start=1");

        Frame f0 = p.read(0);
        Frame f1 = p.read(1);

        assertThat(f0.channelNm).isEqualTo(405);
        assertThat(f1.channelNm).isEqualTo(470);
        assertThat(f1.acquisitionNanos).isEqualTo(50_000_000L);
        assertThat(p.isCalcium(1)).isTrue();
        assertThat(p.isCalcium(0)).isFalse();
        assertThat(p.channelWavelengths()).containsExactly(470, 405);
        assertThat(p.framesOf(405)).containsExactly(0, 2, 4);
    }

    @Test
    void calciumChannelsCarryTheNeuralTruthAndTheIsosbesticChannelDoesNot() throws Exception {
        // no hemodynamics, bleaching or glint: counts above the offset are B (1 + x) or B
        PhantomRecording p =
                phantom("frames=80,hemo=0,coupling=0,bleaching=off,glint=off,offset=100");
        int brainPixel = brightestBrainPixel(p);

        double calciumRatio =
                (p.meanFrame(60)[brainPixel] - 100) / (p.meanFrame(2)[brainPixel] - 100);
        double truthRatio =
                (1 + p.neuralFrame(60)[brainPixel]) / (1 + p.neuralFrame(2)[brainPixel]);
        double isoRatio = (p.meanFrame(61)[brainPixel] - 100) / (p.meanFrame(3)[brainPixel] - 100);

        assertThat(calciumRatio).isCloseTo(truthRatio, within(1e-4));
        assertThat(truthRatio).isNotCloseTo(1.0, within(1e-4));
        assertThat(isoRatio).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void hemodynamicsDimBothChannelsWithChannelSpecificGains() throws Exception {
        PhantomRecording p =
                phantom("frames=400,neural-scale=0,coupling=0,bleaching=off,glint=off,fps=20");
        int pixel = brightestBrainPixel(p);
        int n = 100;
        double[] calcium = new double[n];
        double[] iso = new double[n];
        for (int k = 0; k < n; k++) {
            calcium[k] = Math.log(p.meanFrame(2 * k)[pixel] - 100);
            iso[k] = Math.log(p.meanFrame(2 * k + 1)[pixel] - 100);
        }

        double r = correlation(calcium, iso);
        double ratio = std(calcium) / std(iso);

        assertThat(std(calcium)).isGreaterThan(1e-3);
        assertThat(r).isGreaterThan(0.95);
        assertThat(ratio).isBetween(0.5, 1.0);
    }

    @Test
    void theGlintSaturatesSixteenBitPixelsAndTheMaskSaysWhere() throws Exception {
        PhantomRecording p = phantom("frames=2,glint=on,photons=20000");
        float[] counts = PixelConversion.toFloats(p.read(0));
        boolean[] mask = p.saturatedMask();

        int saturated = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 65535f) {
                saturated++;
                assertThat(mask[i]).isTrue();
            }
        }

        assertThat(saturated).isPositive();
    }

    @Test
    void framesLostWithoutACounterTraceShiftTheAlternation() throws Exception {
        PhantomRecording p = phantom("frames=100,lost=0.05");

        int repeats = 0;
        for (int i = 1; i < p.frameCount(); i++) {
            if (p.channelOf(i) == p.channelOf(i - 1)) {
                repeats++;
            }
        }

        assertThat(p.frameCount()).isEqualTo(95);
        assertThat(repeats).isPositive();
        assertThat(p.read(10).frameCounter).isEqualTo(10);
    }

    @Test
    void jitteredTimesStayInOrderAndNearTheNominalTime() throws Exception {
        PhantomRecording p = phantom("frames=200,fps=20,jitter-ms=5");

        long previous = -1;
        int off = 0;
        for (int i = 0; i < p.frameCount(); i++) {
            long t = p.acquisitionNanos(i);
            assertThat(t).isGreaterThan(previous);
            assertThat(Math.abs(t - i * 50_000_000L)).isLessThanOrEqualTo(20_000_000L);
            off += t != i * 50_000_000L ? 1 : 0;
            previous = t;
        }

        assertThat(off).isGreaterThan(150);
    }

    @Test
    void threeChannelsCarryTheTruthInBothCalciumChannels() throws Exception {
        PhantomRecording p = phantom("frames=9,channels=470/395/575");

        assertThat(p.settings().isosbesticNm).isEqualTo(395);
        assertThat(p.framesOf(575)).containsExactly(2, 5, 8);
        assertThat(p.isCalcium(2)).isTrue();
        assertThat(p.isCalcium(1)).isFalse();
    }

    @Test
    void makesLargeFramesOfTheRequestedSize() throws Exception {
        PhantomRecording p =
                PhantomRecording.open("phantom:neural=synthetic,size=512x384,frames=2");

        Frame f = p.read(1);

        assertThat(f.width).isEqualTo(512);
        assertThat(f.height).isEqualTo(384);
        assertThat(f.pixels).hasSize(512 * 384 * 2);
    }

    @Test
    void rendersTheRealParcelTracesWhenTheDataIsThere() throws Exception {
        Path data = PhantomRecording.defaultDataDir();
        Assumptions.assumeTrue(
                Files.isDirectory(data), "needs the higley-widefield data in " + data);
        PhantomRecording p = PhantomRecording.open("phantom:neural=higley,size=64,frames=4");
        float[] truth = p.neuralFrame(2);

        double spread = std(toDouble(truth));

        assertThat(p.neuralSource()).contains("higley-widefield");
        assertThat(spread).isGreaterThan(1e-4);
    }

    @Test
    void specNamesABadKeyOrValue() {
        assertThatThrownBy(() -> PhantomRecording.open("phantom:colour=blue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key 'colour'");
        assertThatThrownBy(() -> PhantomRecording.open("phantom:size=4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size must be 8..2048 pixels per side, was 4x4");
        assertThatThrownBy(() -> PhantomRecording.open("phantom:channels=470/560"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no channel between 380 and 430 nm");
        assertThat(PhantomSettings.isSpec("phantom")).isTrue();
        assertThat(PhantomSettings.isSpec("phantoms/x.npy")).isFalse();
    }

    @Test
    void specRoundTrips() {
        PhantomSettings s =
                PhantomSettings.parse(
                        "phantom:size=64x32,frames=10,channels=470/395/575,start=2,jitter-ms=1.5",
                        PhantomSettings.builder());

        PhantomSettings again = PhantomSettings.parse(s.toSpec(), PhantomSettings.builder());

        assertThat(again.toSpec()).isEqualTo(s.toSpec());
        assertThat(again.width).isEqualTo(64);
        assertThat(again.height).isEqualTo(32);
        assertThat(again.jitterNanos).isEqualTo(1_500_000L);
    }

    static int brightestBrainPixel(PhantomRecording p) {
        float[] brain = p.brainMask();
        boolean[] sat = p.saturatedMask();
        float[] m = p.meanFrame(0);
        int best = -1;
        for (int i = 0; i < m.length; i++) {
            if (brain[i] > 0.99f && !sat[i] && (best < 0 || m[i] > m[best])) {
                best = i;
            }
        }
        return best;
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    static double std(double[] x) {
        double m = 0;
        for (double v : x) {
            m += v;
        }
        m /= x.length;
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    static double correlation(double[] a, double[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
