package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VirtualIpTest {

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "192.168.56.50|255.255.255.0; 24",
        "192.168.56.50/255.255.255.0; 24",
        "192.168.56.50/24; 24",
        "192.168.56.50|24; 24",
        "192.168.56.50|255.255.255.255; 32",
        "192.168.56.50|128.0.0.0; 1",
        "192.168.56.50|255.255.254.0; 23",
        "2001:db8::50/64; 64",
        "2001:db8::50|ffff:ffff:ffff:ffff::; 64",
        "2001:db8::50|128; 128",
        "2001:db8::50|ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe; 127",
    })
    void parsesMaskToPrefix(String text, int prefix) throws ToolException {
        assertEquals(prefix, VirtualIp.parse(text).prefix());
    }

    @Test
    void maskIsOptional() throws ToolException {
        VirtualIp vip = VirtualIp.parse("192.168.56.50");
        assertNull(vip.prefix());
        assertEquals("192.168.56.50", vip.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.56.50|255.0.255.0", "192.168.56.50|255.255.255.1", "192.168.56.50|0.0.0.0",
        "192.168.56.50|0", "192.168.56.50|33", "192.168.56.50|-1", "192.168.56.50|+24", "192.168.56.50|024",
        "192.168.56.50|", "192.168.56.50/", "|24", "/24", "192.168.56.50|24/24", "192.168.56.50||24",
        "192.168.56.50//24", "192.168.56.50|ffff::", "2001:db8::50|255.255.255.0", "2001:db8::50|129",
        "2001:db8::50|ffff:0:ffff::", "192.168.56.50|24 ", "192.168.56.50|2\u0664", "192.168.56.50|1000"})
    void rejectsBadMasks(String text) {
        assertEquals(ExitCode.INVALID_VIP, assertThrows(ToolException.class, () -> VirtualIp.parse(text)).exitCode());
    }

    @Test
    void contiguousPrefix() {
        assertEquals(0, VirtualIp.contiguousPrefix(new byte[] {0, 0, 0, 0}));
        assertEquals(-1, VirtualIp.contiguousPrefix(new byte[] {(byte) 0xff, 0, (byte) 0xff, 0}));
        assertEquals(-1, VirtualIp.contiguousPrefix(new byte[] {(byte) 0xfe, 0, 0, 1}));
        assertEquals(9, VirtualIp.contiguousPrefix(new byte[] {(byte) 0xff, (byte) 0x80, 0, 0}));
    }
}
