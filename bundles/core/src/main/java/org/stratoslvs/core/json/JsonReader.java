package org.stratoslvs.core.json;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.stratoslvs.core.validate.Identifiers;

/**
 * A small strict JSON reader (RFC 8259) for messages from the network.
 *
 * <p>Values come back as plain Java: objects as {@link LinkedHashMap} (member order kept), arrays as
 * {@link ArrayList}, strings as {@link String}, integers that fit as {@link Long}, every other number as
 * {@link BigDecimal} (exact, never rounded through a double), {@link Boolean} and {@code null}.
 *
 * <p>Stricter than the RFC requires, on purpose: duplicate object keys are refused (two parsers picking different
 * duplicates is a classic smuggling trick); unpaired surrogates are refused, escaped or raw; nesting depth,
 * string length, number length and the number of values are capped. Anything after the top-level value other than whitespace is
 * refused. No leniency: no comments, no single quotes, no trailing commas, no NaN, no leading zeros, no BOM.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JsonReader {

    /**
     * @param maxDepth        deepest nesting of arrays and objects
     * @param maxStringLength longest string (key or value), in characters after unescaping
     * @param maxNumberLength longest number literal, in characters
     * @param maxValues       most values in one document (every object, array, string, number, true, false and
     *                        null, at any depth; an object's keys come with their values): what bounds the heap a
     *                        document costs, since a value of two bytes ({@code {}}) costs a hundred on the heap
     */
    public record Limits(int maxDepth, int maxStringLength, int maxNumberLength, int maxValues) {

        /**
         * 64 levels, 256 Ki characters per string, 64 characters per number, 2 million values. A Stratos 4.1.5
         * complete topology carries 56 values per member (each member is serialized twice), so the largest one
         * documented, 25,000 members (about 29 MB), has 1.4 million values; 2 million leave 40% for other shapes
         * while refusing a 32 MiB body of empty objects (3 million values) before its tree is built.
         */
        public static final Limits DEFAULT = new Limits(64, 256 * 1024, 64, 2_000_000);

        public Limits {
            if (maxDepth < 1 || maxStringLength < 1 || maxNumberLength < 1 || maxValues < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }

        /** These limits with another {@link #maxValues()}. */
        public Limits withMaxValues(int values) {
            return new Limits(maxDepth, maxStringLength, maxNumberLength, values);
        }
    }

    private static final JsonReader DEFAULT = new JsonReader(Limits.DEFAULT);

    private final Limits limits;

    public JsonReader(Limits limits) {
        this.limits = limits;
    }

    /** Parses with the {@link Limits#DEFAULT default limits}. */
    public static Object parse(String text) {
        return DEFAULT.read(text);
    }

    public Limits limits() {
        return limits;
    }

    /** Parses strict UTF-8 bytes: malformed sequences are refused rather than replaced. */
    public Object read(byte[] utf8) {
        return read(decodeUtf8(utf8));
    }

    public Object read(String text) {
        Parser p = new Parser(text, limits);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("unexpected " + p.describeCurrent() + " after the JSON value");
        }
        return value;
    }

    /**
     * Decodes UTF-8 strictly (overlong forms, surrogates encoded in UTF-8 and truncated sequences are errors).
     *
     * @throws JsonException at offset 0 naming the byte offset of the first bad sequence
     */
    public static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer out = decoder.decode(in);
            return out.toString();
        } catch (CharacterCodingException e) {
            throw new JsonException(0, "invalid UTF-8 near byte " + in.position(), false);
        }
    }

    private static final class Parser {
        /** Inputs larger than this dedupe their short strings (see {@link #shortStrings}). */
        private static final int DEDUP_THRESHOLD = 8 * 1024;
        private static final int DEDUP_MAX_LENGTH = 32;
        private static final int DEDUP_SLOTS = 2048;

        private final String s;
        private final int len;
        private final Limits limits;
        /**
         * Direct-mapped cache of short strings already produced by this parse. A complete topology repeats the
         * same keys and values (serviceName, Created, network-partition-1, ...) hundreds of thousands of times;
         * sharing them roughly halves the garbage of a large parse. Null for small messages, where it would cost
         * more than it saves.
         */
        private final String[] shortStrings;
        int pos;
        private int values;

        Parser(String s, Limits limits) {
            this.s = s;
            this.len = s.length();
            this.limits = limits;
            this.shortStrings = len > DEDUP_THRESHOLD ? new String[DEDUP_SLOTS] : null;
        }

        private String substring(int start, int end, int hash) {
            int n = end - start;
            if (shortStrings == null || n > DEDUP_MAX_LENGTH) {
                return s.substring(start, end);
            }
            int slot = (hash ^ (hash >>> 16)) & (DEDUP_SLOTS - 1);
            String cached = shortStrings[slot];
            if (cached != null && cached.length() == n && s.regionMatches(start, cached, 0, n)) {
                return cached;
            }
            String v = s.substring(start, end);
            shortStrings[slot] = v;
            return v;
        }

        JsonException error(String reason) {
            return new JsonException(pos, reason, false);
        }

        JsonException limit(String reason) {
            return new JsonException(pos, reason, true);
        }

        String describeCurrent() {
            if (pos >= len) {
                return "end of input";
            }
            return "character " + Identifiers.quote(s.substring(pos, Math.min(len, pos + 1)));
        }

        void skipWhitespace() {
            while (pos < len) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        Object value(int depth) {
            if (pos >= len) {
                throw error("unexpected end of input, expected a value");
            }
            if (++values > limits.maxValues()) {
                throw limit("more than " + limits.maxValues() + " values");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("unexpected " + describeCurrent() + ", expected a value");
            }
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw error("invalid literal, expected " + word);
            }
            pos += word.length();
            return value;
        }

        private Map<String, Object> object(int depth) {
            if (depth > limits.maxDepth()) {
                throw limit("nesting deeper than " + limits.maxDepth());
            }
            pos++; // '{'
            LinkedHashMap<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < len && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                if (pos >= len || s.charAt(pos) != '"') {
                    throw error("unexpected " + describeCurrent() + ", expected a string key");
                }
                int keyAt = pos;
                String key = string();
                skipWhitespace();
                if (pos >= len || s.charAt(pos) != ':') {
                    throw error("unexpected " + describeCurrent() + ", expected ':'");
                }
                pos++;
                skipWhitespace();
                Object v = value(depth);
                if (map.containsKey(key)) {
                    throw new JsonException(keyAt, "duplicate key " + Identifiers.quote(key), false);
                }
                map.put(key, v);
                skipWhitespace();
                if (pos >= len) {
                    throw error("unexpected end of input, expected ',' or '}'");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("unexpected " + describeCurrent() + ", expected ',' or '}'");
                }
                skipWhitespace();
            }
        }

        private List<Object> array(int depth) {
            if (depth > limits.maxDepth()) {
                throw limit("nesting deeper than " + limits.maxDepth());
            }
            pos++; // '['
            ArrayList<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < len && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value(depth));
                skipWhitespace();
                if (pos >= len) {
                    throw error("unexpected end of input, expected ',' or ']'");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("unexpected " + describeCurrent() + ", expected ',' or ']'");
                }
                skipWhitespace();
            }
        }

        private String string() {
            pos++; // opening quote
            int start = pos;
            // Fast path: no escapes, so the value is a substring of the input.
            int hash = 0;
            while (pos < len) {
                char c = s.charAt(pos);
                if (c == '"') {
                    checkStringLength(pos - start, start);
                    String v = substring(start, pos, hash);
                    pos++;
                    return v;
                }
                if (c == '\\') {
                    break;
                }
                checkRaw(c);
                hash = 31 * hash + c;
                pos++;
            }
            if (pos >= len) {
                throw new JsonException(start - 1, "unterminated string", false);
            }
            StringBuilder sb = new StringBuilder(pos - start + 16).append(s, start, pos);
            while (pos < len) {
                char c = s.charAt(pos);
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if (c == '\\') {
                    escape(sb);
                } else {
                    checkRaw(c);
                    sb.append(c);
                    pos++;
                }
                checkStringLength(sb.length(), start);
            }
            throw new JsonException(start - 1, "unterminated string", false);
        }

        private void checkStringLength(int length, int start) {
            if (length > limits.maxStringLength()) {
                throw new JsonException(start - 1, "string longer than " + limits.maxStringLength()
                        + " characters", true);
            }
        }

        /** An unescaped character inside a string: no control characters, surrogates only as a valid pair. */
        private void checkRaw(char c) {
            if (c < 0x20) {
                throw error("control character U+" + hex4(c) + " in string (must be escaped)");
            }
            if (c >= 0xD800 && c <= 0xDFFF) {
                // A raw high half must be followed by a low half; a raw low half must follow a high half.
                boolean paired = c <= 0xDBFF
                        ? pos + 1 < len && Character.isLowSurrogate(s.charAt(pos + 1))
                        : Character.isHighSurrogate(s.charAt(pos - 1));
                if (!paired) {
                    throw error("unpaired surrogate U+" + hex4(c) + " in string");
                }
            }
        }

        private void escape(StringBuilder sb) {
            if (pos + 1 >= len) {
                throw error("unterminated escape");
            }
            char e = s.charAt(pos + 1);
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    sb.append(e);
                    pos += 2;
                    return;
                case 'b':
                    sb.append('\b');
                    pos += 2;
                    return;
                case 'f':
                    sb.append('\f');
                    pos += 2;
                    return;
                case 'n':
                    sb.append('\n');
                    pos += 2;
                    return;
                case 'r':
                    sb.append('\r');
                    pos += 2;
                    return;
                case 't':
                    sb.append('\t');
                    pos += 2;
                    return;
                case 'u':
                    break;
                default:
                    throw error("invalid escape \\" + Identifiers.quote(String.valueOf(e)));
            }
            char c = unicodeEscape(pos);
            if (Character.isHighSurrogate(c)) {
                if (pos + 12 > len || s.charAt(pos + 6) != '\\' || s.charAt(pos + 7) != 'u') {
                    throw error("unpaired surrogate \\u" + hex4(c));
                }
                char low = unicodeEscape(pos + 6);
                if (!Character.isLowSurrogate(low)) {
                    throw error("unpaired surrogate \\u" + hex4(c));
                }
                sb.append(c).append(low);
                pos += 12;
                return;
            }
            if (Character.isLowSurrogate(c)) {
                throw error("unpaired surrogate \\u" + hex4(c));
            }
            sb.append(c);
            pos += 6;
        }

        /** The character of the {@code \\uXXXX} escape starting at {@code at}. */
        private char unicodeEscape(int at) {
            if (at + 6 > len) {
                throw error("truncated \\u escape");
            }
            int v = 0;
            for (int i = at + 2; i < at + 6; i++) {
                char h = s.charAt(i);
                int d;
                if (h >= '0' && h <= '9') {
                    d = h - '0';
                } else if (h >= 'a' && h <= 'f') {
                    d = h - 'a' + 10;
                } else if (h >= 'A' && h <= 'F') {
                    d = h - 'A' + 10;
                } else {
                    throw new JsonException(at, "invalid \\u escape", false);
                }
                v = (v << 4) | d;
            }
            return (char) v;
        }

        private Object number() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= len) {
                throw error("unexpected end of input in number");
            }
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
                if (pos < len && isDigit(s.charAt(pos))) {
                    throw error("leading zero in number");
                }
            } else if (c >= '1' && c <= '9') {
                digits();
            } else {
                throw error("invalid number");
            }
            boolean integral = true;
            if (pos < len && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= len || !isDigit(s.charAt(pos))) {
                    throw error("digit expected after decimal point");
                }
                digits();
            }
            if (pos < len && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < len && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= len || !isDigit(s.charAt(pos))) {
                    throw error("digit expected in exponent");
                }
                digits();
            }
            int length = pos - start;
            if (length > limits.maxNumberLength()) {
                throw new JsonException(start, "number longer than " + limits.maxNumberLength() + " characters",
                        true);
            }
            String text = s.substring(start, pos);
            if (integral && length <= 18) {
                return Long.parseLong(text);
            }
            try {
                BigDecimal d = new BigDecimal(text);
                if (integral) {
                    try {
                        return d.longValueExact();
                    } catch (ArithmeticException tooBig) {
                        return d;
                    }
                }
                return d;
            } catch (NumberFormatException e) {
                throw new JsonException(start, "number out of range", true);
            }
        }

        private void digits() {
            while (pos < len && isDigit(s.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static String hex4(char c) {
            String h = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
            return "0000".substring(h.length()) + h;
        }
    }
}
