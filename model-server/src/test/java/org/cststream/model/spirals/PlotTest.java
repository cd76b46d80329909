package org.cststream.model.spirals;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlotTest {

    @Test
    void placesTicksAtRoundNumbersInsideTheRange() {
        assertThat(Plot.niceTicks(0, 1, 5))
                .containsExactly(0, 0.2, 0.4, 0.6000000000000001, 0.8, 1);
        assertThat(Plot.niceTicks(-2.3, 2.2, 4)).containsExactly(-2, -1, 0, 1, 2);
        assertThat(Plot.niceTicks(0.031, 0.049, 4)).hasSizeBetween(3, 6);
    }

    @Test
    void writesTickLabelsWithTheDecimalsTheSpacingNeeds() {
        assertThat(Plot.tickText(0.6000000000000001, 0.2)).isEqualTo("0.6");
        assertThat(Plot.tickText(-2, 1)).isEqualTo("-2");
        assertThat(Plot.tickText(0.035, 0.005)).isEqualTo("0.035");
    }

    @Test
    void takesQuartilesBetweenOrderStatistics() {
        double[] sorted = {1, 2, 3, 4};

        assertThat(Plot.quantile(sorted, 0.25)).isEqualTo(1.75);
        assertThat(Plot.quantile(sorted, 0.5)).isEqualTo(2.5);
        assertThat(Plot.quantile(sorted, 1)).isEqualTo(4);
    }

    @Test
    void rendersPanelsInAGridOfTheRequestedSizeWithInkInEachPanel() {
        Plot lines =
                new Plot("lines", "t", "y")
                        .line(new double[] {0, 1, 2}, new double[] {0, 1, 0}, Color.BLUE, 2, "a")
                        .points(new double[] {1}, new double[] {1}, Color.RED, 8, "b");
        Plot boxes =
                new Plot("boxes", "method", "error")
                        .box("one", new double[] {1, 2, 3, 4, 10}, Color.ORANGE)
                        .box("two", new double[] {2, 2.5, 3}, Color.CYAN);

        BufferedImage image = Plot.render(List.of(lines, boxes, lines), 2, 300, 250);

        assertThat(image.getWidth()).isEqualTo(600);
        assertThat(image.getHeight()).isEqualTo(500);
        assertThat(hasColour(image, 0, 0, 300, 250, Color.BLUE)).isTrue();
        assertThat(hasColour(image, 300, 0, 300, 250, Color.ORANGE)).isTrue();
    }

    @Test
    void putsOneSharedLegendInAStripAboveThePanels() {
        Plot panel =
                new Plot("lines", "t", "y")
                        .line(new double[] {0, 1}, new double[] {0, 1}, Color.GREEN, 2, "a");

        BufferedImage image = Plot.renderWithLegendStrip(List.of(panel, panel), 2, 300, 250);

        assertThat(image.getWidth()).isEqualTo(600);
        assertThat(image.getHeight()).isEqualTo(Plot.LEGEND_STRIP_HEIGHT + 250);
        assertThat(hasColour(image, 0, 0, 600, Plot.LEGEND_STRIP_HEIGHT, Color.GREEN)).isTrue();
    }

    private static boolean hasColour(BufferedImage image, int x, int y, int w, int h, Color c) {
        for (int i = x; i < x + w; i++) {
            for (int j = y; j < y + h; j++) {
                if ((image.getRGB(i, j) & 0xFFFFFF) == (c.getRGB() & 0xFFFFFF)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void drawsAnImageRowZeroAtTheTopOnADivergingScale() {
        // a 2x2 image: top row low (blue), bottom row high (red)
        Plot p = new Plot("image", "column", "row").image(new float[] {-1, -1, 1, 1}, 2, 2, -1, 1);

        BufferedImage image = Plot.render(List.of(p), 1, 300, 300);
        Color top = new Color(image.getRGB(150, 110));
        Color bottom = new Color(image.getRGB(150, 200));

        assertThat(top.getBlue()).isGreaterThan(top.getRed() + 100);
        assertThat(bottom.getRed()).isGreaterThan(bottom.getBlue() + 100);
    }
}
