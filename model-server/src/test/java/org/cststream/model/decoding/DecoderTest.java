package org.cststream.model.decoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cststream.model.window.WindowLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderTest {
    @TempDir Path dir;

    /** 2 x 2 patches of 2 pixels, 3 grid times: 4 x 3 x 4 = 48 attention features. */
    private static final WindowLayout LAYOUT = new WindowLayout(2, 2, 2, 0.1, 3);

    private static Decoder fitted() {
        Random r = new Random(2);
        float[][] x = new float[40][48];
        double[] y = new double[40];
        for (int i = 0; i < 40; i++) {
            y[i] = r.nextDouble();
            for (int f = 0; f < 48; f++) {
                x[i][f] = (float) (y[i] * (f % 5) + 0.1 * r.nextGaussian());
            }
        }
        ObjectNode notes = new ObjectMapper().createObjectNode().put("trainedOn", "test");
        return Decoder.fit(
                x,
                null,
                y,
                new Decoder.Target("pupil", Decoder.LabelSource.BEHAVIOUR, "pupil"),
                new Decoder.Features(Decoder.FeatureKind.CST_ATTENTION, LAYOUT, "0123456789abcdef"),
                10,
                3,
                notes);
    }

    @Test
    void savesAndLoadsBackTheSameDecoder() throws Exception {
        Decoder d = fitted();
        Path file = dir.resolve("sub/pupil.decoder");

        d.save(file);
        Decoder back = Decoder.load(file);

        assertThat(back.target()).isEqualTo(d.target());
        assertThat(back.features()).isEqualTo(d.features());
        assertThat(back.pca().components()).isEqualTo(d.pca().components());
        assertThat(back.knn().neighbours()).isEqualTo(3);
        assertThat(back.notes().path("trainedOn").asText()).isEqualTo("test");
        Random r = new Random(8);
        for (int i = 0; i < 20; i++) {
            float[] x = new float[48];
            for (int f = 0; f < 48; f++) {
                x[f] = (float) r.nextGaussian();
            }
            assertThat(back.predict(x)).isEqualTo(d.predict(x));
        }
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    /** Rewrites the header's format version of a saved decoder, keeping the header's length. */
    private static void setVersion(Path file, int version) throws Exception {
        byte[] all = Files.readAllBytes(file);
        int length = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
        String header = new String(all, 12, length, StandardCharsets.UTF_8);
        String changed =
                header.replace("\"formatVersion\" : 1,", "\"formatVersion\" : " + version + ",");
        assertThat(changed).hasSameSizeAs(header).isNotEqualTo(header);
        System.arraycopy(changed.getBytes(StandardCharsets.UTF_8), 0, all, 12, length);
        Files.write(file, all);
    }

    @Test
    void refusesAnotherFormatVersionSayingWhichAndWhatToDo() throws Exception {
        Path file = dir.resolve("v2.decoder");
        fitted().save(file);
        setVersion(file, 2);

        assertThatThrownBy(() -> Decoder.load(file))
                .isInstanceOf(DecoderFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("format version 2")
                .hasMessageContaining("reads version 1")
                .hasMessageContaining("upgrade cst");
    }

    @Test
    void refusesAFileThatIsNotADecoder() throws Exception {
        Path file = dir.resolve("frames.npy");
        Files.write(file, "\u0093NUMPY not a decoder".getBytes(StandardCharsets.ISO_8859_1));

        assertThatThrownBy(() -> Decoder.load(file))
                .isInstanceOf(DecoderFormatException.class)
                .hasMessageContaining("is not a decoder file");
    }

    @Test
    void refusesATruncatedOrAlteredFile() throws Exception {
        Path file = dir.resolve("cut.decoder");
        fitted().save(file);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 8));

        assertThatThrownBy(() -> Decoder.load(file))
                .isInstanceOf(DecoderFormatException.class)
                .hasMessageContaining("truncated");

        all[all.length - 3] ^= 0x40;
        Files.write(file, all);

        assertThatThrownBy(() -> Decoder.load(file))
                .isInstanceOf(DecoderFormatException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void refusesFeaturesOfAnotherSize() {
        Decoder d = fitted();

        assertThatThrownBy(() -> d.predict(new float[47]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("47 features")
                .hasMessageContaining("reads 48");
    }

    @Test
    void fingerprintsAModelByItsParametersAndConfiguration() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        for (Path m : new Path[] {a, b}) {
            Files.createDirectories(m);
            Files.writeString(
                    m.resolve("cst-model.json"),
                    "{\"formatVersion\":1,\"config\":{\"modelDim\":64},\"normalisation\":{},"
                            + "\"notes\":{\"trainedOn\":\""
                            + m
                            + "\"}}");
            Files.write(m.resolve("cst-0000.params"), new byte[] {1, 2, 3});
        }

        String fa = Decoder.fingerprint(a);

        assertThat(fa).hasSize(16).isEqualTo(Decoder.fingerprint(b));
        Files.write(b.resolve("cst-0000.params"), new byte[] {1, 2, 4});
        assertThat(Decoder.fingerprint(b)).isNotEqualTo(fa);
        // another configuration with the same parameters is another model
        Files.writeString(
                a.resolve("cst-model.json"),
                "{\"formatVersion\":1,\"config\":{\"modelDim\":32},\"normalisation\":{}}");
        assertThat(Decoder.fingerprint(a)).isNotEqualTo(fa);
        // a later parameter file is the one the model loads, so the one fingerprinted
        Path c = dir.resolve("c");
        Files.createDirectories(c);
        Files.copy(b.resolve("cst-model.json"), c.resolve("cst-model.json"));
        Files.write(c.resolve("cst-0000.params"), new byte[] {1, 2, 3});
        Files.write(c.resolve("cst-0001.params"), new byte[] {1, 2, 4});
        assertThat(Decoder.fingerprint(c)).isEqualTo(Decoder.fingerprint(b));
    }
}
