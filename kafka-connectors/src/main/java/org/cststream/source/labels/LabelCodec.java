package org.cststream.source.labels;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON encoding of stimulus and behaviour records, version 1 (the layout is in {@code
 * docs/sources.md}). Non-finite values are written as JSON {@code null}.
 */
public final class LabelCodec {
    /** Value of the {@code format} field of stimulus records. */
    public static final String STIMULUS_FORMAT = "cst.stimulus";

    /** Value of the {@code format} field of behaviour records. */
    public static final String BEHAVIOUR_FORMAT = "cst.behaviour";

    /** The record version this codec writes. */
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelCodec() {}

    /** Encodes a stimulus event as UTF-8 JSON. */
    public static byte[] encode(StimulusEvent e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", STIMULUS_FORMAT);
        n.put("version", VERSION);
        n.put("session", e.session());
        n.put("kind", e.kind());
        n.put("index", e.index());
        n.put("onsetNanos", e.onsetNanos());
        n.put("durationNanos", e.durationNanos());
        ObjectNode fields = n.putObject("fields");
        e.fields()
                .forEach(
                        (k, v) -> {
                            if (v instanceof Double d) {
                                putNumber(fields, k, d);
                            } else {
                                fields.put(k, String.valueOf(v));
                            }
                        });
        return bytes(n);
    }

    /** Encodes a behaviour sample as UTF-8 JSON. */
    public static byte[] encode(BehaviourSample s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", BEHAVIOUR_FORMAT);
        n.put("version", VERSION);
        n.put("session", s.session());
        n.put("index", s.index());
        n.put("timeNanos", s.timeNanos());
        ObjectNode values = n.putObject("values");
        s.values().forEach((k, v) -> putNumber(values, k, v));
        return bytes(n);
    }

    /**
     * Decodes a stimulus record.
     *
     * @throws IOException if it is not JSON or not a version-1 stimulus record
     */
    public static StimulusEvent decodeStimulus(byte[] json) throws IOException {
        JsonNode n = check(json, STIMULUS_FORMAT);
        Map<String, Object> fields = new LinkedHashMap<>();
        n.path("fields")
                .fields()
                .forEachRemaining(
                        f ->
                                fields.put(
                                        f.getKey(),
                                        f.getValue().isNumber()
                                                ? (Object) f.getValue().asDouble()
                                                : f.getValue().isNull()
                                                        ? (Object) Double.NaN
                                                        : f.getValue().asText()));
        return new StimulusEvent(
                n.path("session").asText(),
                n.path("kind").asText(),
                n.path("index").asLong(),
                n.path("onsetNanos").asLong(),
                n.path("durationNanos").asLong(),
                fields);
    }

    /**
     * Decodes a behaviour record.
     *
     * @throws IOException if it is not JSON or not a version-1 behaviour record
     */
    public static BehaviourSample decodeBehaviour(byte[] json) throws IOException {
        JsonNode n = check(json, BEHAVIOUR_FORMAT);
        Map<String, Double> values = new LinkedHashMap<>();
        n.path("values")
                .fields()
                .forEachRemaining(
                        f ->
                                values.put(
                                        f.getKey(),
                                        f.getValue().isNull()
                                                ? Double.NaN
                                                : f.getValue().asDouble()));
        return new BehaviourSample(
                n.path("session").asText(),
                n.path("index").asLong(),
                n.path("timeNanos").asLong(),
                values);
    }

    private static JsonNode check(byte[] json, String format) throws IOException {
        JsonNode n = JSON.readTree(json);
        if (n == null || !format.equals(n.path("format").asText())) {
            throw new IOException(
                    "not a "
                            + format
                            + " record: format is '"
                            + (n == null ? "" : n.path("format").asText())
                            + "'");
        }
        if (n.path("version").asInt() != VERSION) {
            throw new IOException(
                    format
                            + " record version "
                            + n.path("version").asInt()
                            + " is not supported (this reader knows "
                            + VERSION
                            + ")");
        }
        return n;
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a label record as JSON", e);
        }
    }
}
