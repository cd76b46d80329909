package org.cststream.job.frames;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class TileAssemblyFunctionTest {
    private static CorrectedTile tile(long counter, int index, boolean calibrated) {
        CorrectedTile t = new CorrectedTile();
        t.sessionId = "s";
        t.channelNm = 470;
        t.frameCounter = counter;
        t.frameWidth = 5;
        t.frameHeight = 3;
        t.tileIndex = index;
        t.tileCount = 2;
        t.interiorX = index == 0 ? 0 : 4;
        t.interiorWidth = index == 0 ? 4 : 1;
        t.interiorHeight = 3;
        t.values = new float[t.interiorWidth * 3];
        java.util.Arrays.fill(t.values, index + 1);
        t.calibrated = calibrated;
        return t;
    }

    @Test
    void emitsAFrameWhenItsLastTileArrivesAndAnnouncesCalibrationOnce() throws Exception {
        var h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new TileAssemblyFunction("regression"),
                        CorrectedTile::frameKey,
                        Types.STRING);
        h.processElement(new StreamRecord<>(tile(0, 1, false), 0L));
        h.processElement(new StreamRecord<>(tile(1, 1, true), 0L));
        assertThat(h.extractOutputValues()).isEmpty();
        h.processElement(new StreamRecord<>(tile(0, 0, true), 0L));
        h.processElement(new StreamRecord<>(tile(1, 0, true), 0L));
        h.processElement(new StreamRecord<>(tile(2, 0, true), 0L));
        h.processElement(new StreamRecord<>(tile(2, 1, true), 0L));

        List<DffFrame> out = h.extractOutputValues();
        assertThat(out).extracting(d -> d.frameCounter).containsExactly(0L, 1L, 2L);
        assertThat(out.get(0).values).containsExactly(1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 1, 1, 1, 1, 2);
        assertThat(h.getSideOutput(JobOutputs.EVENTS))
                .extracting(r -> r.getValue().fromCounter)
                .containsExactly(1L);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        h.close();
    }
}
