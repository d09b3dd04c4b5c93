package org.stratoslvs.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonReaderTest {

    @Test
    void readsAllValueKindsAsPlainJava() {
        Object v = JsonReader.parse(" {\"s\":\"x\",\"i\":42,\"n\":-7,\"d\":1.5,\"e\":1e3,\"t\":true,\"f\":false,"
                + "\"z\":null,\"a\":[1,\"two\",[]],\"o\":{}}\n");
        Map<?, ?> m = assertInstanceOf(LinkedHashMap.class, v);
        assertEquals(List.of("s", "i", "n", "d", "e", "t", "f", "z", "a", "o"), new ArrayList<>(m.keySet()),
                "member order kept");
        assertEquals("x", m.get("s"));
        assertEquals(42L, m.get("i"));
        assertEquals(-7L, m.get("n"));
        assertEquals(new BigDecimal("1.5"), m.get("d"));
        assertEquals(new BigDecimal("1e3"), m.get("e"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("z"));
        assertNull(m.get("z"));
        List<?> a = assertInstanceOf(ArrayList.class, m.get("a"));
        assertEquals(3, a.size());
        assertEquals(1L, a.get(0));
        assertEquals("two", a.get(1));
        assertEquals(List.of(), a.get(2));
        assertEquals(Map.of(), m.get("o"));
    }

    @Test
    void topLevelScalarsAreValueJson() {
        assertEquals("a", JsonReader.parse("\"a\""));
        assertEquals(0L, JsonReader.parse("0"));
        assertNull(JsonReader.parse(" null "));
    }

    @Test
    void integersBeyondLongAreExactBigDecimals() {
        assertEquals(Long.MAX_VALUE, JsonReader.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, JsonReader.parse("-9223372036854775808"));
        assertEquals(new BigDecimal("9223372036854775808"), JsonReader.parse("9223372036854775808"));
        assertEquals(new BigDecimal("0.1"), JsonReader.parse("0.1"), "no double rounding");
    }

    @Test
    void decodesEscapesAndSurrogatePairs() {
        assertEquals("a\"b\\c/d\b\f\n\r\t", JsonReader.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""));
        assertEquals("\u00e9\u20ac", JsonReader.parse("\"\\u00e9\\u20AC\""));
        assertEquals("\uD83D\uDE00", JsonReader.parse("\"\\uD83D\\uDE00\""));
        assertEquals("x\uD83D\uDE00y", JsonReader.parse("\"x\uD83D\uDE00y\""), "raw pair kept");
        assertEquals("pre\u00e9", JsonReader.parse("\"pre\\u00e9\""), "escape after a plain prefix");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|unexpected end of input",
            "{|expected a string key",
            "{\"a\":1,}|expected a string key",
            "[1,]|expected a value",
            "[1 2]|expected ',' or ']'",
            "{\"a\" 1}|expected ':'",
            "{\"a\":1 \"b\":2}|expected ',' or '}'",
            "{'a':1}|expected a string key",
            "[01]|leading zero",
            "[-]|invalid number",
            "[1.]|digit expected after decimal point",
            "[1e]|digit expected in exponent",
            "[.5]|expected a value",
            "[+1]|expected a value",
            "[NaN]|expected a value",
            "[tru]|invalid literal",
            "[True]|expected a value",
            "{\"a\":1}x|after the JSON value",
            "{\"a\":1}{}|after the JSON value",
            "\"abc|unterminated string",
            "\"a\\x\"|invalid escape",
            "\"\\u12G4\"|invalid \\u escape",
            "\"\\u12\"|truncated \\u escape",
            "\"\\uD800\"|unpaired surrogate",
            "\"\\uD800\\u0041\"|unpaired surrogate",
            "\"\\uDC00\"|unpaired surrogate",
            "{\"a\":1,\"a\":2}|duplicate key",
            "[1]/*c*/|after the JSON value",
    })
    void refusesInvalidJsonWithAReason(String text, String reason) {
        JsonException e = assertThrows(JsonException.class, () -> JsonReader.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(e.getMessage().startsWith("at offset "), e.getMessage());
        assertFalse(e.limitExceeded());
    }

    @Test
    void reportsTheOffsetOfTheProblem() {
        assertEquals(7, assertThrows(JsonException.class, () -> JsonReader.parse("{\"a\":1 ]")).offset() - 0);
        assertEquals(7, assertThrows(JsonException.class, () -> JsonReader.parse("{\"a\":1,\"a\":2}")).offset());
        assertEquals(9, assertThrows(JsonException.class, () -> JsonReader.parse("[1, 2, 3]x")).offset());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"a\u0000b\"", "\"a\nb\"", "\"tab\there\"", "\"\u001f\""})
    void refusesRawControlCharactersInStrings(String text) {
        JsonException e = assertThrows(JsonException.class, () -> JsonReader.parse(text));
        assertTrue(e.reason().contains("control character"), e.reason());
    }

    @Test
    void refusesRawUnpairedSurrogates() {
        assertThrows(JsonException.class, () -> JsonReader.parse("\"a\uD800b\""));
        assertThrows(JsonException.class, () -> JsonReader.parse("\"a\uDC00\""));
        assertThrows(JsonException.class, () -> JsonReader.parse("\"\uD800\""));
        assertThrows(JsonException.class, () -> JsonReader.parse("\"\\n\uD800\""), "slow path too");
    }

    @Test
    void enforcesTheDepthLimit() {
        JsonReader reader = new JsonReader(new JsonReader.Limits(3, 100, 20, 1000));
        assertEquals(List.of(List.of(List.of())), reader.read("[[[]]]"));
        JsonException e = assertThrows(JsonException.class, () -> reader.read("[[[[]]]]"));
        assertTrue(e.limitExceeded());
        assertTrue(e.reason().contains("nesting deeper than 3"));
        assertThrows(JsonException.class, () -> reader.read("{\"a\":{\"b\":{\"c\":{}}}}"));
        // The default limit holds against a deep bomb without a StackOverflowError.
        String bomb = "[".repeat(100_000);
        JsonException deep = assertThrows(JsonException.class, () -> JsonReader.parse(bomb));
        assertTrue(deep.limitExceeded());
        assertEquals(64, deep.offset(), "stopped at the 65th bracket");
    }

    @Test
    void enforcesStringAndNumberLimits() {
        JsonReader reader = new JsonReader(new JsonReader.Limits(10, 5, 6, 1000));
        assertEquals("abcde", reader.read("\"abcde\""));
        assertTrue(assertThrows(JsonException.class, () -> reader.read("\"abcdef\"")).limitExceeded());
        assertTrue(assertThrows(JsonException.class, () -> reader.read("{\"abcdef\":1}")).limitExceeded(),
                "keys count too");
        assertTrue(assertThrows(JsonException.class, () -> reader.read("\"ab\\ncdef\"")).limitExceeded());
        assertEquals(123456L, reader.read("123456"));
        assertTrue(assertThrows(JsonException.class, () -> reader.read("1234567")).limitExceeded());
        JsonException huge = assertThrows(JsonException.class, () -> JsonReader.parse("1e99999999999"));
        assertTrue(huge.reason().contains("out of range"), huge.reason());
    }

    @Test
    void enforcesTheValueLimitAtAnyDepth() {
        JsonReader reader = new JsonReader(JsonReader.Limits.DEFAULT.withMaxValues(5));
        // {"a":[1,{}],"b":null} is 5 values: the object, the array, 1, {}, null (keys are not values)
        assertEquals(2, ((java.util.Map<?, ?>) reader.read("{\"a\":[1,{}],\"b\":null}")).size());
        JsonException e = assertThrows(JsonException.class, () -> reader.read("{\"a\":[1,{}],\"b\":null,\"c\":0}"));
        assertTrue(e.limitExceeded());
        assertTrue(e.reason().contains("more than 5 values"), e.reason());
        assertTrue(assertThrows(JsonException.class, () -> reader.read("[[[[[[]]]]]]")).limitExceeded(), "nested");
        // The default stops a body of millions of empty arrays early, at the 2,000,001st value.
        String bomb = "[" + "[],".repeat(3_000_000) + "[]]";
        JsonException big = assertThrows(JsonException.class, () -> JsonReader.parse(bomb));
        assertTrue(big.limitExceeded());
        assertEquals(1 + 3 * 1_999_999, big.offset(), "stopped at the 2,000,001st value");
        assertThrows(IllegalArgumentException.class, () -> JsonReader.Limits.DEFAULT.withMaxValues(0));
    }

    @Test
    void decodesUtf8Strictly() {
        JsonReader reader = new JsonReader(JsonReader.Limits.DEFAULT);
        assertEquals("caf\u00e9", reader.read("\"caf\u00e9\"".getBytes(StandardCharsets.UTF_8)));
        byte[] truncated = {'"', (byte) 0xC3, '"'};
        assertThrows(JsonException.class, () -> reader.read(truncated));
        byte[] overlong = {'"', (byte) 0xC0, (byte) 0xAF, '"'};
        assertThrows(JsonException.class, () -> reader.read(overlong));
        byte[] encodedSurrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'};
        assertThrows(JsonException.class, () -> reader.read(encodedSurrogate));
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        assertThrows(JsonException.class, () -> reader.read(bom), "no BOM");
    }

    @Test
    void errorMessagesQuoteInputSafely() {
        JsonException e = assertThrows(JsonException.class, () -> JsonReader.parse("{\"a\":1}\u2028\n\u0007"));
        assertFalse(e.getMessage().contains("\u2028"), e.getMessage());
        assertFalse(e.getMessage().contains("\u0007"), e.getMessage());
    }

    @Test
    void largeInputsWithRepeatedAndCollidingStringsReadBackExactly() {
        // Above the dedup threshold: repeated short strings may be shared, but every value must stay exact,
        // including different strings that land in the same cache slot and long strings that are never cached.
        java.util.Random rnd = new java.util.Random(7);
        List<Object> expected = new ArrayList<>();
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < 20_000; i++) {
            String v = switch (rnd.nextInt(4)) {
                case 0 -> "k" + rnd.nextInt(50);
                case 1 -> Integer.toString(rnd.nextInt(1_000_000), 36);
                case 2 -> "long-" + "x".repeat(40) + rnd.nextInt(10);
                default -> "";
            };
            expected.add(java.util.Map.of(v, v));
            text.append(i == 0 ? "" : ",").append("{\"").append(v).append("\":\"").append(v).append("\"}");
        }
        text.append(']');
        assertEquals(expected, JsonReader.parse(text.toString()));
    }

    @Test
    void whitespaceIsOnlyTheFourJsonCharacters() {
        assertEquals(List.of(), JsonReader.parse(" \t\r\n[]\n"));
        assertThrows(JsonException.class, () -> JsonReader.parse("\u00a0[]"));
        assertThrows(JsonException.class, () -> JsonReader.parse("[]\f"));
    }
}
