package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cststream.frame.Frame;
import org.cststream.frame.PixelConversion;
import org.cststream.frame.PixelType;
import org.junit.jupiter.api.Test;

class SyntheticRecordingTest {
    @Test
    void defaultsTo128SquareUnsigned16Bit() {
        SyntheticRecording r = new SyntheticRecording(1, 10);

        Frame f = r.read(3);

        assertThat(r.width()).isEqualTo(128);
        assertThat(r.height()).isEqualTo(128);
        assertThat(r.pixelType()).isEqualTo(PixelType.UINT16);
        assertThat(r.frameCount()).isEqualTo(10);
        assertThat(f.pixels).hasSize(128 * 128 * 2);
        assertThat(f.frameCounter).isEqualTo(3);
        assertThat(f.acquisitionNanos).isEqualTo(100_000_000L);
    }

    @Test
    void sameSeedAndIndexGiveTheSamePixelsInAnyReadOrder() throws Exception {
        SyntheticRecording a = new SyntheticRecording(42, 200);
        SyntheticRecording b = new SyntheticRecording(42, 500);
        byte[] expected = a.read(123).pixels;
        b.read(7);
        b.read(499);

        byte[] again = b.read(123).pixels;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<byte[]> concurrent;
        try {
            concurrent = pool.submit(() -> a.read(123).pixels);
            a.read(5);
            assertThat(concurrent.get()).isEqualTo(expected);
        } finally {
            pool.shutdown();
        }

        assertThat(again).isEqualTo(expected);
    }

    @Test
    void differentSeedsGiveDifferentSessions() {
        byte[] one = new SyntheticRecording(1, 5).read(0).pixels;
        byte[] two = new SyntheticRecording(2, 5).read(0).pixels;

        assertThat(one).isNotEqualTo(two);
    }

    @Test
    void backgroundIsAVignetteAroundTwoThousandCounts() {
        SyntheticRecording r = new SyntheticRecording(7, 1);

        float[] mean = r.meanFrame(0);
        float corner = mean[0];
        float minimum = Float.MAX_VALUE;
        for (float v : mean) {
            minimum = Math.min(minimum, v);
        }

        assertThat(corner).isCloseTo(1300f, org.assertj.core.data.Offset.offset(20f));
        assertThat(minimum).isGreaterThan(1250f);
        assertThat(mean[64 * 128 + 64]).isGreaterThan(1950f);
    }

    @Test
    void noiseHasVarianceOfTheMean() {
        SyntheticRecording r = new SyntheticRecording(3, 20);
        double sum = 0;
        double sumSquares = 0;
        int n = 0;

        for (int i = 0; i < 20; i++) {
            float[] pixels = PixelConversion.toFloats(r.read(i));
            float[] mean = r.meanFrame(i);
            for (int p = 0; p < pixels.length; p++) {
                double z = (pixels[p] - mean[p]) / Math.sqrt(mean[p]);
                sum += z;
                sumSquares += z * z;
                n++;
            }
        }
        double average = sum / n;
        double variance = sumSquares / n - average * average;

        assertThat(average).isBetween(-0.02, 0.02);
        assertThat(variance).isBetween(0.97, 1.03);
    }

    @Test
    void blobsShowCalciumTransientsThatRiseFastAndDecaySlowly() {
        // 60 s at 30 frames/s: about 20 transients per blob
        SyntheticRecording r = new SyntheticRecording(11, 1800);
        float[][] means = new float[r.frameCount()][];
        for (int i = 0; i < means.length; i++) {
            means[i] = r.meanFrame(i);
        }
        int mostActive = 0;
        double widestRange = 0;
        for (int p = 0; p < means[0].length; p++) {
            double range = range(means, p);
            if (range > widestRange) {
                widestRange = range;
                mostActive = p;
            }
        }

        int rises = 0;
        int falls = 0;
        for (int i = 1; i < means.length; i++) {
            float step = means[i][mostActive] - means[i - 1][mostActive];
            if (step > 0) {
                rises++;
            } else if (step < 0) {
                falls++;
            }
        }

        // a blob peaks hundreds of counts over its baseline (10-100% dF/F)
        assertThat(widestRange).isBetween(150.0, 2500.0);
        // a fast rise and a slow decay spend far fewer frames rising than falling
        assertThat(rises).isPositive().isLessThan(falls / 3);
    }

    private static double range(float[][] means, int pixel) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float[] m : means) {
            min = Math.min(min, m[pixel]);
            max = Math.max(max, m[pixel]);
        }
        return max - min;
    }

    @Test
    void rejectsParametersOutOfRangeNamingThem() {
        assertThatThrownBy(() -> new SyntheticRecording(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frameCount must be 1 or more, got 0");
        assertThatThrownBy(() -> new SyntheticRecording(1, 5, 5000, 8, 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width must be 1..4096 pixels, got 5000");
        assertThatThrownBy(() -> new SyntheticRecording(1, 5, 8, 8, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("framesPerSecond");
    }

    @Test
    void rejectsAnIndexOutsideTheSession() {
        SyntheticRecording r = new SyntheticRecording(1, 4);

        assertThatThrownBy(() -> r.read(4))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("frame index 4 is outside 0..3");
    }
}
