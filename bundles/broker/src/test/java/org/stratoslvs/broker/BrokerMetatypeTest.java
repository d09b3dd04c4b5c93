package org.stratoslvs.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The hand-written metatype, the shipped .cfg and BrokerSettings name the same keys with the same defaults. */
class BrokerMetatypeTest {

    private static final Path CFG = Path.of("src/main/cfg/org.stratoslvs.broker.cfg");
    private static final Path METATYPE = Path.of("src/main/resources/OSGI-INF/metatype/org.stratoslvs.broker.xml");

    @Test
    void metatypeCfgAndSettingsAgree() throws Exception {
        Properties cfg = new Properties();
        cfg.load(new StringReader(Files.readString(CFG)));
        Map<String, String> metatype = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        NodeList ads = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(METATYPE.toFile())
                .getElementsByTagName("AD");
        for (int i = 0; i < ads.getLength(); i++) {
            Element ad = (Element) ads.item(i);
            metatype.put(ad.getAttribute("id"), ad.getAttribute("default"));
            types.put(ad.getAttribute("id"), ad.getAttribute("type"));
            assertTrue(ad.getAttribute("description").length() > 20, ad.getAttribute("id") + " undocumented");
        }
        assertEquals(metatype.keySet(), cfg.stringPropertyNames());
        for (Map.Entry<String, String> ad : metatype.entrySet()) {
            assertEquals(ad.getValue(), cfg.getProperty(ad.getKey()), ad.getKey());
        }

        BrokerSettings defaults = BrokerSettings.parse(Map.of());
        assertEquals(defaults, BrokerSettings.parse(new LinkedHashMap<String, Object>(metatype)));
        assertEquals(Map.of(BrokerSettings.BIND_ADDRESS, defaults.bindAddress(),
                BrokerSettings.OPENWIRE_PORT, String.valueOf(defaults.openwirePort()),
                BrokerSettings.MQTT_PORT, String.valueOf(defaults.mqttPort()),
                BrokerSettings.BROKER_NAME, defaults.brokerName(),
                BrokerSettings.USERS, ""), metatype);
        assertEquals("Password", types.get(BrokerSettings.USERS), "users must be masked in the web console");
    }
}
