package org.stratoslvs.topology.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.stratoslvs.core.config.SettingsReader;
import org.stratoslvs.core.topology.TopologyFilter;
import org.stratoslvs.core.topology.TopologyStore;
import org.stratoslvs.core.validate.InvalidValueException;
import org.stratoslvs.topology.TopologyFeed;

/**
 * The listener's keys of PID {@code org.stratoslvs}, parsed without throwing: a bad value is reported as a
 * sentence and its default used, so a typo never stops the listener.
 */
record ListenerSettings(TopologyFeed.BrokerSettings broker, TopologyFilter filter, long maxMessageBytes,
                        int maxMembers, List<String> errors) {

    static final String BROKER_URL = "broker.url";
    static final String BROKER_USERNAME = "broker.username";
    static final String BROKER_PASSWORD = "broker.password";
    static final String RESYNC_INTERVAL = "topology.resync.interval";
    static final String SERVICE_FILTER = "topology.service.filter";
    static final String CLUSTER_FILTER = "topology.cluster.filter";
    static final String PARTITION_FILTER = "topology.network.partition.filter";

    static final String DEFAULT_BROKER_URL = "tcp://127.0.0.1:61616";

    static ListenerSettings parse(Map<String, ?> props) {
        List<String> errors = new ArrayList<>();
        SettingsReader r = new SettingsReader(props, "", errors);
        String url = text(r, BROKER_URL, DEFAULT_BROKER_URL);
        if (!url.matches("(failover:\\(?)?(tcp|ssl|nio|nio\\+ssl|vm)://[^\\s]+")) {
            r.error(BROKER_URL + " \"" + url + "\" is not an ActiveMQ broker URL (e.g. tcp://host:61616); using "
                    + DEFAULT_BROKER_URL + ".");
            url = DEFAULT_BROKER_URL;
        }
        long resync = r.number(RESYNC_INTERVAL, 0, 0, 86_400);
        long maxBytes = r.number(TopologyStore.MAX_MESSAGE_BYTES_KEY, TopologyStore.DEFAULT_MAX_MESSAGE_BYTES,
                1024, 256L * 1024 * 1024);
        int maxMembers = (int) r.number(TopologyStore.MAX_MEMBERS_KEY, TopologyStore.DEFAULT_MAX_MEMBERS,
                1, 1_000_000);
        TopologyFilter filter;
        try {
            filter = TopologyFilter.parse(text(r, SERVICE_FILTER, ""), text(r, CLUSTER_FILTER, ""),
                    text(r, PARTITION_FILTER, ""));
        } catch (InvalidValueException e) {
            r.error("topology filter: " + e.getMessage() + "; filters ignored until fixed.");
            filter = TopologyFilter.NONE;
        }
        // The message limit is part of the connection: its frames are capped to it (a change reconnects).
        TopologyFeed.BrokerSettings broker = new TopologyFeed.BrokerSettings(url,
                text(r, BROKER_USERNAME, ""), text(r, BROKER_PASSWORD, ""), Duration.ofSeconds(resync),
                maxBytes);
        return new ListenerSettings(broker, filter, maxBytes, maxMembers, List.copyOf(errors));
    }

    private static String text(SettingsReader r, String key, String defaultValue) {
        String s = r.text(key);
        return s == null ? defaultValue : s;
    }
}
