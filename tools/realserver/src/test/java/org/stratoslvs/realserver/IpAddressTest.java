package org.stratoslvs.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    @ParameterizedTest
    @CsvSource({
        "192.168.56.50, 192.168.56.50",
        "10.0.0.0, 10.0.0.0",
        "2001:db8::50, 2001:db8::50",
        "2001:DB8:0:0:0:0:0:50, 2001:db8::50",
        "2001:db8:0:1:0:0:0:1, 2001:db8:0:1::1",
        "2001:0db8:0000:0000:0001:0000:0000:0001, 2001:db8::1:0:0:1",
        "2001:db8:1:1:1:1:1:1, 2001:db8:1:1:1:1:1:1",
        "2001:db8::, 2001:db8::",
        "64:ff9b::192.0.2.1, 64:ff9b::c000:201",
        "2001:db8:0:0:1:0:0:0, 2001:db8:0:0:1::",
        "2001:db8:0:0:1:1:0:0, 2001:db8::1:1:0:0",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    })
    void parsesAndPrintsCanonically(String text, String canonical) throws ToolException {
        assertEquals(canonical, IpAddress.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.256", "1.2.3.-1", "1..3.4",
        "1.2.3.4.", ".1.2.3", "0x1.2.3.4", "1.2.3.4 ", " 1.2.3.4", "\uff11.2.3.4", "\u0661.2.3.4", "1e1.2.3.4",
        "localhost", "::1%lo", "fe80::1%eth0", "[::1]", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::1",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", ":1::2", "1::2:", "12345::1", "g::1", "1.2.3.4::",
        "::1.2.3.4:1", "::1.2.3", "::01.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "2001:db8::/64"})
    void rejectsEverythingElse(String text) {
        ToolException e = assertThrows(ToolException.class, () -> IpAddress.parse(text));
        assertEquals(ExitCode.INVALID_VIP, e.exitCode());
    }

    @Test
    void ipv4InIpv6TailIsParsedButMappedFormsAreUnusable() throws ToolException {
        IpAddress mapped = IpAddress.parse("::ffff:192.168.56.50");
        assertTrue(mapped.isIpv6(), "never silently converted to IPv4");
        assertNotNull(mapped.unusableAsVipReason());
        assertNotNull(IpAddress.parse("::192.168.56.50").unusableAsVipReason());
        assertNotNull(IpAddress.parse("::FFFF:c0a8:3832").unusableAsVipReason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1.2.3", "127.0.0.1", "169.254.1.1", "224.0.0.18", "239.1.1.1", "240.0.0.1",
        "255.255.255.255", "::", "::1", "ff02::12", "fe80::1", "febf::1"})
    void specialAddressesAreUnusableAsVip(String text) throws ToolException {
        assertNotNull(IpAddress.parse(text).unusableAsVipReason(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.56.50", "10.0.0.1", "223.255.255.254", "2001:db8::50", "fd00::1", "fec0::1"})
    void ordinaryAddressesAreUsable(String text) throws ToolException {
        assertNull(IpAddress.parse(text).unusableAsVipReason(), text);
    }

    @Test
    void equalityIsByValue() throws ToolException {
        assertEquals(IpAddress.parse("2001:DB8::0:50"), IpAddress.parse("2001:db8:0:0:0::50"));
        assertFalse(IpAddress.parse("10.0.0.1").equals(IpAddress.parse("::ffff:10.0.0.1")));
    }

    @Test
    void printableEscapesControlCharacters() {
        assertEquals("\"a\\u000ab\\u0024\"".replace("\\u0024", "$"), IpAddress.printable("a\nb$"));
    }
}
