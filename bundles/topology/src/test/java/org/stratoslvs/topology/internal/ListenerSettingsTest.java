package org.stratoslvs.topology.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.stratoslvs.core.topology.TopologyFilter;
import org.stratoslvs.render.ConfigDocumentation;

class ListenerSettingsTest {

    @Test
    void everyKeyIsDocumentedAndTheDocumentedValuesAreTheDefaults() throws Exception {
        Map<String, String> cfg = ConfigDocumentation.cfgDefaults();
        for (String key : List.of(ListenerSettings.BROKER_URL, ListenerSettings.BROKER_USERNAME,
                ListenerSettings.BROKER_PASSWORD, ListenerSettings.RESYNC_INTERVAL, ListenerSettings.SERVICE_FILTER,
                ListenerSettings.CLUSTER_FILTER, ListenerSettings.PARTITION_FILTER, "topology.max.message.bytes",
                "topology.max.members")) {
            assertTrue(cfg.containsKey(key), key + " is not documented");
        }
        ListenerSettings documented = ListenerSettings.parse(cfg);
        assertEquals(List.of(), documented.errors());
        assertEquals(ListenerSettings.parse(Map.of()), documented);
    }

    @Test
    void badValuesAreReportedAndReplacedByDefaults() {
        ListenerSettings s = ListenerSettings.parse(Map.of(
                ListenerSettings.BROKER_URL, "http://example.org",
                ListenerSettings.RESYNC_INTERVAL, "soon",
                "topology.max.message.bytes", "12",
                "topology.max.members", "0",
                ListenerSettings.SERVICE_FILTER, "web, bad name"));
        assertEquals(5, s.errors().size(), s.errors().toString());
        assertEquals(30_000, s.maxMembers());
        assertEquals(ListenerSettings.DEFAULT_BROKER_URL, s.broker().url());
        assertEquals(Duration.ZERO, s.broker().resyncInterval());
        assertEquals(TopologyFilter.NONE, s.filter());
    }

    @Test
    void filtersAndBrokerAreRead() {
        ListenerSettings s = ListenerSettings.parse(Map.of(
                ListenerSettings.BROKER_URL, "failover:(tcp://10.0.0.5:61616,tcp://10.0.0.6:61616)",
                ListenerSettings.BROKER_USERNAME, "lvs",
                ListenerSettings.RESYNC_INTERVAL, "60",
                ListenerSettings.PARTITION_FILTER, "network-partition-1"));
        assertEquals(List.of(), s.errors());
        assertEquals("lvs", s.broker().username());
        assertEquals(Duration.ofSeconds(60), s.broker().resyncInterval());
        assertEquals(java.util.Set.of("network-partition-1"), s.filter().networkPartitions());
        assertEquals(50_000, ListenerSettings.parse(Map.of("topology.max.members", "50000")).maxMembers());
    }
}
