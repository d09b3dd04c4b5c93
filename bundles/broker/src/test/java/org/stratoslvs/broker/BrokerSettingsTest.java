package org.stratoslvs.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The settings' parsing and the bind decision; the real broker's behaviour is in EmbeddedBrokerTest. */
class BrokerSettingsTest {

    @Test
    void withNeitherPidTheDefaultsKeepTheBrokerLocalAndTheFrameLimitFollowsTheListenersDefault() {
        BrokerSettings settings = BrokerSettings.parse(Map.of());
        assertEquals("127.0.0.1", settings.bindAddress());
        assertEquals(61616, settings.openwirePort());
        assertEquals(1883, settings.mqttPort());
        assertEquals(32L * 1024 * 1024, settings.maxMessageBytes());
        assertEquals(32L * 1024 * 1024 + 128 * 1024, settings.maxFrameBytes());
        assertFalse(settings.authentication());
        assertEquals(List.of(), settings.errors());
        assertEquals(Optional.empty(), settings.refusal());
    }

    @Test
    void theFrameLimitIsTheListenersMessageLimitPlusTheEnvelope() {
        BrokerSettings settings = BrokerSettings.parse(Map.of("topology.max.message.bytes", "1048576"));
        assertEquals(1024 * 1024 + 128 * 1024, settings.maxFrameBytes());
    }

    @Test
    void aBadMessageLimitIsReportedAndTheDefaultUsed() {
        BrokerSettings settings = BrokerSettings.parse(Map.of("topology.max.message.bytes", "1e9"));
        assertEquals(32L * 1024 * 1024 + 128 * 1024, settings.maxFrameBytes());
        assertEquals(1, settings.errors().size(), settings.errors().toString());
        assertTrue(settings.errors().get(0).contains("topology.max.message.bytes"), settings.errors().toString());
    }

    @Test
    void usersAreParsedAndBadEntriesReportedWithoutTheirPasswords() {
        BrokerSettings settings = BrokerSettings.parse(Map.of("users",
                "cc:cc-secret, lvs:lvs-secret:readonly, pw-in-the-wrong-place, eve:eve-secret:admins, cc:cc-other,"
                        + " bad name:x-secret, nopass:"));
        assertEquals(List.of(new BrokerSettings.User("cc", "cc-secret", false),
                new BrokerSettings.User("lvs", "lvs-secret", true)), settings.users());
        assertTrue(settings.authentication());
        assertEquals(5, settings.errors().size(), settings.errors().toString());
        String everything = settings.errors() + " " + settings;
        for (String secret : List.of("cc-secret", "lvs-secret", "pw-in-the-wrong-place", "eve-secret", "cc-other",
                "x-secret")) {
            assertFalse(everything.contains(secret), secret + " shown in " + everything);
        }
        assertTrue(settings.errors().get(1).contains("eve") && settings.errors().get(1).contains("readonly"),
                settings.errors().toString());
    }

    @Test
    void loopbackIsDecidedOnTheAddressWithoutALookup() {
        for (String loopback : List.of("127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "localhost", "LOCALHOST",
                "::ffff:127.0.0.1")) {
            assertEquals(Optional.of(true), BrokerSettings.loopback(loopback), loopback);
        }
        for (String other : List.of("0.0.0.0", "::", "10.1.2.3", "192.168.56.10", "fe80::1", "2001:db8::1",
                "128.0.0.1")) {
            assertEquals(Optional.of(false), BrokerSettings.loopback(other), other);
        }
        for (String notAnAddress : List.of("director.example", "localhost.", "1.2.3", "fe80::1%eth0", "")) {
            assertEquals(Optional.empty(), BrokerSettings.loopback(notAnAddress), notAnAddress);
        }
    }

    @Test
    void aNonLoopbackBindNeedsUsersAndTheRefusalSaysWhatToSet() {
        Optional<String> refusal = BrokerSettings.parse(Map.of("bind.address", "10.1.2.3")).refusal();
        assertTrue(refusal.isPresent());
        assertTrue(refusal.get().contains("10.1.2.3") && refusal.get().contains("users = name:password")
                && refusal.get().contains("etc/org.stratoslvs.broker.cfg"), refusal.get());

        assertEquals(Optional.empty(), BrokerSettings.parse(Map.of("bind.address", "10.1.2.3", "users", "cc:s"))
                .refusal());
        // users whose every entry is bad leave authentication off: still refused
        assertTrue(BrokerSettings.parse(Map.of("bind.address", "0.0.0.0", "users", "cc")).refusal().isPresent());
        assertTrue(BrokerSettings.parse(Map.of("bind.address", "director.example", "users", "cc:s")).refusal()
                .isPresent());
    }

    @Test
    void portsAndNamesAsConfigAdminGivesThem() {
        BrokerSettings settings = BrokerSettings.parse(Map.of("openwire.port", 61617, "mqtt.port", "0",
                "broker.name", "my broker"));
        assertEquals(61617, settings.openwirePort());
        assertEquals(0, settings.mqttPort());
        assertEquals("my_broker", settings.brokerName());
        BrokerSettings bad = BrokerSettings.parse(Map.of("openwire.port", "70000"));
        assertEquals(61616, bad.openwirePort());
        assertEquals(1, bad.errors().size());
    }
}
