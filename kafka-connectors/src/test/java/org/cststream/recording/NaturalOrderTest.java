package org.cststream.recording;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {
    @Test
    void sortsDigitRunsByValue() {
        List<String> names =
                new ArrayList<>(
                        List.of(
                                "10.npy",
                                "2.npy",
                                "1.npy",
                                "frame_10.tif",
                                "frame_9.tif",
                                "frame_100.tif",
                                "b.npy",
                                "a.npy"));

        names.sort(NaturalOrder.INSTANCE);

        assertThat(names)
                .containsExactly(
                        "1.npy",
                        "2.npy",
                        "10.npy",
                        "a.npy",
                        "b.npy",
                        "frame_9.tif",
                        "frame_10.tif",
                        "frame_100.tif");
    }

    @Test
    void keepsZeroPaddedNamesInOrderAndTotal() {
        List<String> names =
                new ArrayList<>(
                        List.of(
                                "0010.npy",
                                "0002.npy",
                                "2.npy",
                                "00000000000000000000000000099.npy",
                                "100000000000000000000000.npy"));

        names.sort(NaturalOrder.INSTANCE);

        assertThat(names)
                .containsExactly(
                        "0002.npy",
                        "2.npy",
                        "0010.npy",
                        "00000000000000000000000000099.npy",
                        "100000000000000000000000.npy");
        assertThat(NaturalOrder.INSTANCE.compare("0002.npy", "2.npy")).isNotZero();
    }
}
