package org.stratoslvs.core.json;

/**
 * Input that is not strict RFC 8259 JSON, or that exceeds a {@link JsonReader.Limits limit}. The message names
 * the character offset and the reason; it never echoes more than a short quoted excerpt of the input.
 */
public class JsonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int offset;
    private final String reason;
    private final boolean limitExceeded;

    public JsonException(int offset, String reason, boolean limitExceeded) {
        super("at offset " + offset + ": " + reason);
        this.offset = offset;
        this.reason = reason;
        this.limitExceeded = limitExceeded;
    }

    /** Offset in characters (UTF-16 units) from the start of the text; for byte input, of the decoded text. */
    public int offset() {
        return offset;
    }

    public String reason() {
        return reason;
    }

    /** True when the input was refused for a size or depth limit rather than for bad syntax. */
    public boolean limitExceeded() {
        return limitExceeded;
    }
}
