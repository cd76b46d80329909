package org.cststream.model.serving;

import java.io.IOException;

/**
 * A request or response body that does not follow the model protocol ({@code
 * docs/model-protocol.md}): the message names the byte offset, the field and what was found. The
 * server answers it with 400 Bad Request.
 */
public final class MalformedBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String field;

    /**
     * @param offset byte offset of the field in the body, 0 or more
     * @param field the field, e.g. {@code window 2 tokens}
     * @param problem what was wrong with it
     */
    public MalformedBodyException(long offset, String field, String problem) {
        super("malformed body at byte " + offset + " (" + field + "): " + problem);
        this.offset = offset;
        this.field = field;
    }

    /** Returns the byte offset of the faulty field. */
    public long offset() {
        return offset;
    }

    /** Returns the faulty field, e.g. {@code window 2 tokens}. */
    public String field() {
        return field;
    }
}
