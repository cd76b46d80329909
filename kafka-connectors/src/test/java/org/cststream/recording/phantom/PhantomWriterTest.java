package org.cststream.recording.phantom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cststream.recording.NpyFormat;
import org.cststream.recording.RecordingReader;
import org.cststream.recording.Recordings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhantomWriterTest {
    @Test
    void writesADatFileTheReplayReadsWithTheTruthBesideIt(@TempDir Path dir) throws Exception {
        PhantomRecording p =
                PhantomRecording.open(
                        "phantom:neural=synthetic,size=32x24,frames=200,fps=20,start=1");

        PhantomWriter.Result r = PhantomWriter.write(p, dir, "s1", PhantomWriter.Format.DAT, false);

        assertThat(r.recording().getFileName().toString()).isEqualTo("s1_2_24_32_uint16.dat");
        try (RecordingReader back = Recordings.open(r.recording())) {
            assertThat(back.frameCount()).isEqualTo(200);
            assertThat(back.channels()).isEqualTo(2);
            assertThat(back.read(37).pixels).isEqualTo(p.read(37).pixels);
        }
        NpyFormat.Header truth = NpyFormat.readHeader(r.truth());
        assertThat(truth.shape()).containsExactly(200, 24, 32);
        assertThat(truth.descr()).isEqualTo("<f4");
        ByteBuffer data =
                ByteBuffer.wrap(Files.readAllBytes(r.truth())).order(ByteOrder.LITTLE_ENDIAN);
        int at = (int) truth.dataOffset() + 4 * (37 * 24 * 32 + 5 * 32 + 20);
        assertThat(data.getFloat(at)).isEqualTo(p.neuralFrame(37)[5 * 32 + 20]);
        List<String> csv = Files.readAllLines(r.stimuli());
        assertThat(csv.get(0))
                .isEqualTo("onset_s,duration_s,contrast,orientation_deg,temporal_frequency_hz");
        assertThat(csv).hasSize(1 + p.stimuli().stimuli().size());
        assertThat(csv.get(1)).startsWith("3.000,2.000,");
        JsonNode json = new ObjectMapper().readTree(r.metadata().toFile());
        assertThat(json.get("first_frame_channel_nm").asInt()).isEqualTo(405);
        assertThat(json.get("frame_channel_nm")).hasSize(200);
        assertThat(json.get("replay").asText()).contains("--channels 405,470");
        assertThat(NpyFormat.readHeader(r.brainMask()).shape()).containsExactly(24, 32);
    }

    @Test
    void writesAnNpyStackWithLostFrames(@TempDir Path dir) throws Exception {
        PhantomRecording p =
                PhantomRecording.open("phantom:neural=synthetic,size=16,frames=40,lost=0.1");

        PhantomWriter.Result r =
                PhantomWriter.write(p, dir, "lost", PhantomWriter.Format.NPY, false);

        try (RecordingReader back = Recordings.open(r.recording())) {
            assertThat(back.frameCount()).isEqualTo(36);
            assertThat(back.read(35).pixels).isEqualTo(p.read(35).pixels);
        }
    }

    @Test
    void refusesADatFileThatCannotHoldTheSession(@TempDir Path dir) throws Exception {
        PhantomRecording lost =
                PhantomRecording.open("phantom:neural=synthetic,size=16,frames=40,lost=0.1");
        PhantomRecording odd = PhantomRecording.open("phantom:neural=synthetic,size=16,frames=41");

        assertThatThrownBy(
                        () -> PhantomWriter.write(lost, dir, "a", PhantomWriter.Format.DAT, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("write the .npy format instead");
        assertThatThrownBy(
                        () -> PhantomWriter.write(odd, dir, "b", PhantomWriter.Format.DAT, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("41 frames is not a multiple of 2 channels");
    }
}
