package org.cststream.source.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrameIdUnwrapperTest {

    @Test
    void continuesPastTheSixteenBitWrapWhichSkipsZero() {
        FrameIdUnwrapper ids = new FrameIdUnwrapper();

        assertThat(ids.next(65_534)).isEqualTo(65_534);
        assertThat(ids.next(65_535)).isEqualTo(65_535);
        assertThat(ids.next(1)).isEqualTo(65_536);
        assertThat(ids.next(2)).isEqualTo(65_537);
        assertThat(ids.missed()).isZero();
    }

    @Test
    void countsSkippedIdsAsMissedFramesAlsoAcrossTheWrap() {
        FrameIdUnwrapper ids = new FrameIdUnwrapper();
        ids.next(10);

        assertThat(ids.next(13)).isEqualTo(13);
        assertThat(ids.missed()).isEqualTo(2);
        ids.next(65_534);
        assertThat(ids.next(2)).isEqualTo(65_537);
        assertThat(ids.missed()).isEqualTo(2 + (65_534 - 14) + 2);
    }

    @Test
    void sixtyFourBitIdsDoNotWrapAndABackwardStepCountsOn() {
        FrameIdUnwrapper ids = new FrameIdUnwrapper();
        ids.next(5_000_000_000L);

        assertThat(ids.next(5_000_000_001L)).isEqualTo(5_000_000_001L);
        assertThat(ids.next(7)).isEqualTo(5_000_000_002L);
        assertThat(ids.resets()).isEqualTo(1);
        assertThat(ids.missed()).isZero();
    }

    @Test
    void settingsNameTheValueOutOfRange() {
        assertThatThrownBy(() -> new CameraSettings(null, new int[] {0, 0, 0, 5}, 1, 1, 0, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width,height >= 1 pixel");
        assertThatThrownBy(() -> new CameraSettings(null, null, -3, Double.NaN, 0, 8))
                .hasMessageContaining("exposure must be > 0 us");
        assertThatThrownBy(() -> new CameraSettings(null, null, Double.NaN, Double.NaN, 100, 8))
                .hasMessageContaining("packet size must be in 576..65500 bytes");
        assertThatThrownBy(() -> new CameraSettings(null, null, Double.NaN, Double.NaN, 0, 1))
                .hasMessageContaining("camera buffers must be in 2..1024");
    }

    @Test
    void monochromeFormatsMapToFramePixelTypesAndOthersAreRefusedByName() throws Exception {
        assertThat(AravisCamera.pixelType(AravisCamera.MONO8, "Mono8"))
                .isEqualTo(org.cststream.frame.PixelType.UINT8);
        assertThat(AravisCamera.pixelType(AravisCamera.MONO12, "Mono12"))
                .isEqualTo(org.cststream.frame.PixelType.UINT16);
        assertThatThrownBy(() -> AravisCamera.pixelType(0x02180014, "RGB8"))
                .isInstanceOf(CameraException.class)
                .hasMessageContaining("RGB8")
                .hasMessageContaining("Mono16");
    }
}
