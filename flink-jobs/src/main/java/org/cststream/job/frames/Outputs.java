package org.cststream.job.frames;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.cststream.frame.Frame;
import org.cststream.frame.FrameCodec;
import org.cststream.frame.PixelConversion;
import org.cststream.frame.PixelType;
import org.cststream.job.cst.FilledFrame;

/** Encodings of the job's outputs on Kafka. */
public final class Outputs {
    /** Dead-letter header names; values are UTF-8 text. */
    public static final String HEADER_REASON = "cst.error.reason";

    public static final String HEADER_STAGE = "cst.error.stage";
    public static final String HEADER_MESSAGE = "cst.error.message";
    public static final String HEADER_TOPIC = "cst.error.topic";
    public static final String HEADER_PARTITION = "cst.error.partition";
    public static final String HEADER_OFFSET = "cst.error.offset";

    /** Size of the original record when the dead letter holds only its start. */
    public static final String HEADER_ORIGINAL_BYTES = "cst.error.original-bytes";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Outputs() {}

    /** Returns a dF/F frame as a float32 frame record, the same format as the input frames. */
    public static byte[] encodeDff(DffFrame d) {
        Frame f = new Frame();
        f.sessionId = d.sessionId;
        f.cameraId = d.cameraId;
        f.frameCounter = d.frameCounter;
        f.channelNm = d.channelNm;
        f.channelName = d.channelName;
        f.acquisitionNanos = d.acquisitionNanos;
        f.hostReceiveNanos = d.hostReceiveNanos;
        f.width = d.width;
        f.height = d.height;
        f.pixelType = PixelType.FLOAT32;
        f.littleEndian = true;
        f.pixels = PixelConversion.fromFloats(d.values);
        return FrameCodec.encode(f);
    }

    /** Header of a filled-stream record: the camera counter of the observed frame, or -1. */
    public static final String HEADER_SOURCE_COUNTER = "cst.source-counter";

    /**
     * Returns a grid time of the CST stage's output as a float32 frame record: counter = grid
     * index, flag {@link Frame#FLAG_FILLED} when the model filled it.
     */
    public static byte[] encodeFilled(FilledFrame d) {
        Frame f = new Frame();
        f.sessionId = d.sessionId;
        f.cameraId = d.cameraId;
        f.frameCounter = d.slot;
        f.channelNm = d.channelNm;
        f.channelName = d.channelName;
        f.acquisitionNanos = d.timeNanos;
        f.hostReceiveNanos = d.hostReceiveNanos;
        f.width = d.width;
        f.height = d.height;
        f.pixelType = PixelType.FLOAT32;
        f.littleEndian = true;
        f.flags = d.filled ? Frame.FLAG_FILLED : 0;
        f.pixels = PixelConversion.fromFloats(d.values);
        return FrameCodec.encode(f);
    }

    /** Returns the headers of a filled-stream record: the observed frame's camera counter. */
    public static RecordHeaders filledHeaders(FilledFrame d) {
        RecordHeaders h = new RecordHeaders();
        h.add(HEADER_SOURCE_COUNTER, utf8(String.valueOf(d.sourceCounter)));
        return h;
    }

    /** Value of the {@code format} field of decoded-value records. */
    public static final String DECODED_FORMAT = "cst.decoded";

    /** Version of the decoded-value records this build writes. */
    public static final int DECODED_VERSION = 1;

    /**
     * Returns a decoded value as UTF-8 JSON: {@code format}, {@code version}, {@code session},
     * {@code channel}, {@code timeNanos} (the window's newest observed frame), {@code gridFrom} and
     * {@code gridTo} (the grid indices the window emitted), {@code target}, {@code value}.
     */
    public static byte[] encodeDecoded(org.cststream.job.cst.DecodedValue v) {
        com.fasterxml.jackson.databind.node.ObjectNode n = JSON.createObjectNode();
        n.put("format", DECODED_FORMAT);
        n.put("version", DECODED_VERSION);
        n.put("session", v.sessionId);
        n.put("channel", v.channel);
        n.put("timeNanos", v.timeNanos);
        n.put("gridFrom", v.gridFrom);
        n.put("gridTo", v.gridTo);
        n.put("target", v.target);
        if (Double.isFinite(v.value)) {
            n.put("value", v.value);
        } else {
            n.putNull("value");
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write a decoded value as JSON", ex);
        }
    }

    /** Returns an event as JSON. */
    public static byte[] encodeEvent(SessionEvent e) {
        try {
            return JSON.writeValueAsBytes(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write event as JSON", ex);
        }
    }

    /** Returns the headers that say why and where a dead letter was rejected. */
    public static RecordHeaders deadLetterHeaders(DeadLetter d) {
        RecordHeaders h = new RecordHeaders();
        h.add(HEADER_REASON, utf8(d.reason));
        h.add(HEADER_STAGE, utf8(d.stage));
        h.add(HEADER_MESSAGE, utf8(d.message));
        h.add(HEADER_TOPIC, utf8(d.topic));
        h.add(HEADER_PARTITION, utf8(String.valueOf(d.partition)));
        h.add(HEADER_OFFSET, utf8(String.valueOf(d.offset)));
        if (d.originalBytes > 0) {
            h.add(HEADER_ORIGINAL_BYTES, utf8(String.valueOf(d.originalBytes)));
        }
        return h;
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
