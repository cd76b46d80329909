package org.cststream.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameSpoolTest {
    private static final long MIB = 1024 * 1024;

    private static Outgoing record(long seq, int size) {
        byte[] value = new byte[size];
        for (int i = 0; i < size; i++) {
            value[i] = (byte) (seq * 31 + i);
        }
        return new Outgoing(seq, "s" + (seq % 3), value, seq % 10 == 9, null);
    }

    private static List<Long> drain(FrameSpool spool) {
        List<Long> seqs = new ArrayList<>();
        Outgoing r;
        while ((r = spool.readNext()) != null) {
            assertThat(r.value).isEqualTo(record(r.seq, r.value.length).value);
            assertThat(r.key).isEqualTo("s" + (r.seq % 3));
            assertThat(r.marker).isEqualTo(r.seq % 10 == 9);
            assertThat(r.fromSpool).isTrue();
            seqs.add(r.seq);
        }
        return seqs;
    }

    private static long segmentFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void readsBackWhatItWroteInOrderAcrossSegments(@TempDir Path dir) throws Exception {
        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, MIB)) {
            for (long seq = 0; seq < 40; seq++) {
                assertThat(spool.append(record(seq, 100_000))).isNull();
            }

            assertThat(segmentFiles(dir)).isGreaterThan(1);
            assertThat(spool.unreadCount()).isEqualTo(40);
            assertThat(drain(spool)).containsExactlyElementsOf(range(0, 40));
            assertThat(spool.hasUnread()).isFalse();
        }
    }

    @Test
    void reopeningResendsOnlyWhatWasNotCommitted(@TempDir Path dir) throws Exception {
        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, MIB)) {
            for (long seq = 0; seq < 30; seq++) {
                spool.append(record(seq, 100_000));
            }
            drain(spool);
            spool.commit(12);
        }

        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, MIB)) {
            assertThat(spool.nextSeq()).isEqualTo(30);
            assertThat(drain(spool)).containsExactlyElementsOf(range(12, 30));
            spool.commit(30);

            assertThat(segmentFiles(dir)).isZero();
            assertThat(spool.bytesOnDisk()).isZero();
        }
    }

    @Test
    void aTornLastRecordIsCutAndTheRestKept(@TempDir Path dir) throws Exception {
        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, 100 * MIB)) {
            for (long seq = 0; seq < 5; seq++) {
                spool.append(record(seq, 1000));
            }
        }
        Path segment;
        try (Stream<Path> s = Files.list(dir)) {
            segment = s.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.setLength(f.length() - 300);
        }

        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, 100 * MIB)) {
            assertThat(drain(spool)).containsExactly(0L, 1L, 2L, 3L);
            assertThat(spool.nextSeq()).isEqualTo(4);
        }
    }

    @Test
    void refusesFramesBeyondItsBudgetButKeepsMarkers(@TempDir Path dir) throws Exception {
        try (FrameSpool spool = FrameSpool.open(dir, 350_000, MIB)) {
            assertThat(spool.append(record(0, 100_000))).isNull();
            assertThat(spool.append(record(1, 100_000))).isNull();
            assertThat(spool.append(record(2, 100_000))).isNull();

            assertThat(spool.append(record(3, 100_000))).isEqualTo("spool-full");
            assertThat(spool.append(record(9, 10))).as("a marker").isNull();
            assertThat(drain(spool)).containsExactly(0L, 1L, 2L, 9L);
        }
    }

    @Test
    void noBudgetMeansNothingIsSpooled(@TempDir Path dir) throws Exception {
        try (FrameSpool spool = FrameSpool.open(dir, 0, MIB)) {
            assertThat(spool.append(record(0, 10))).isEqualTo("spool-full");
            assertThat(spool.hasUnread()).isFalse();
        }
    }

    @Test
    void keptRecordsTakeTheirPlaceInTheOrderAfterARestart(@TempDir Path dir) throws Exception {
        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, MIB)) {
            // 0..4 were read and sent, 5..7 went straight to Kafka, 8..11 waited in the spool
            for (long seq : List.of(0L, 1L, 2L, 3L, 4L, 8L, 9L, 10L, 11L)) {
                spool.append(record(seq, 1000));
            }
            for (int i = 0; i < 5; i++) {
                spool.readNext();
            }
            spool.keep(List.of(record(5, 1000), record(6, 1000), record(7, 1000)));
            spool.commit(3);
        }

        try (FrameSpool spool = FrameSpool.open(dir, 100 * MIB, MIB)) {
            assertThat(drain(spool)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long i = from; i < to; i++) {
            r.add(i);
        }
        return r;
    }
}
