package org.stratoslvs.topology.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
        String url = text(props, BROKER_URL, DEFAULT_BROKER_URL);
        if (!url.matches("(failover:\\(?)?(tcp|ssl|nio|nio\\+ssl|vm)://[^\\s]+")) {
            errors.add(BROKER_URL + " \"" + url + "\" is not an ActiveMQ broker URL (e.g. tcp://host:61616); using "
                    + DEFAULT_BROKER_URL);
            url = DEFAULT_BROKER_URL;
        }
        long resync = number(props, RESYNC_INTERVAL, 0, 0, 86_400, errors);
        long maxBytes = number(props, TopologyStore.MAX_MESSAGE_BYTES_KEY, TopologyStore.DEFAULT_MAX_MESSAGE_BYTES,
                1024, 256L * 1024 * 1024, errors);
        int maxMembers = (int) number(props, TopologyStore.MAX_MEMBERS_KEY, TopologyStore.DEFAULT_MAX_MEMBERS,
                1, 1_000_000, errors);
        TopologyFilter filter;
        try {
            filter = TopologyFilter.parse(text(props, SERVICE_FILTER, ""), text(props, CLUSTER_FILTER, ""),
                    text(props, PARTITION_FILTER, ""));
        } catch (InvalidValueException e) {
            errors.add("topology filter: " + e.getMessage() + "; filters ignored until fixed");
            filter = TopologyFilter.NONE;
        }
        // The message limit is part of the connection: its frames are capped to it (a change reconnects).
        TopologyFeed.BrokerSettings broker = new TopologyFeed.BrokerSettings(url,
                text(props, BROKER_USERNAME, ""), text(props, BROKER_PASSWORD, ""), Duration.ofSeconds(resync),
                maxBytes);
        return new ListenerSettings(broker, filter, maxBytes, maxMembers, List.copyOf(errors));
    }

    private static String text(Map<String, ?> props, String key, String defaultValue) {
        Object value = props.get(key);
        String s = value == null ? "" : value.toString().trim();
        return s.isEmpty() ? defaultValue : s;
    }

    private static long number(Map<String, ?> props, String key, long defaultValue, long min, long max,
                               List<String> errors) {
        String s = text(props, key, "");
        if (s.isEmpty()) {
            return defaultValue;
        }
        try {
            long v = Long.parseLong(s);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        errors.add(key + " \"" + s + "\" must be a whole number from " + min + " to " + max + "; using "
                + defaultValue);
        return defaultValue;
    }
}
