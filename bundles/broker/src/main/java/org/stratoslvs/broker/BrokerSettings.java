package org.stratoslvs.broker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The embedded broker's settings: the keys of PID {@code org.stratoslvs.broker} and, from PID {@code org.stratoslvs},
 * {@code topology.max.message.bytes}, from which the frame limit of every connector is derived. Parsed without
 * throwing: a bad value is reported as a sentence in {@link #errors()} and its default used.
 *
 * @param maxFrameBytes largest frame any connector accepts, body and envelope; larger ones close the connection
 *                      before their bytes are read onto the heap
 * @param users         empty: no authentication (only allowed on a loopback address)
 */
record BrokerSettings(String bindAddress, int openwirePort, int mqttPort, String brokerName, long maxMessageBytes,
                      long maxFrameBytes, List<User> users, List<String> errors) {

    static final String BIND_ADDRESS = "bind.address";
    static final String OPENWIRE_PORT = "openwire.port";
    static final String MQTT_PORT = "mqtt.port";
    static final String BROKER_NAME = "broker.name";
    static final String USERS = "users";
    /** Of PID org.stratoslvs, as the topology listener reads it (TopologyStore.MAX_MESSAGE_BYTES_KEY). */
    static final String MAX_MESSAGE_BYTES = "topology.max.message.bytes";

    static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    static final int DEFAULT_OPENWIRE_PORT = 61616;
    static final int DEFAULT_MQTT_PORT = 1883;
    static final String DEFAULT_BROKER_NAME = "stratos-lvs";
    /** TopologyStore.DEFAULT_MAX_MESSAGE_BYTES, and the same range as the listener accepts. */
    static final long DEFAULT_MAX_MESSAGE_BYTES = 32L * 1024 * 1024;
    static final long MIN_MAX_MESSAGE_BYTES = 1024;
    static final long MAX_MAX_MESSAGE_BYTES = 256L * 1024 * 1024;

    /**
     * What a frame carries besides the message body. MQTT: a PUBLISH frame's length counts the topic name (2 bytes
     * of length and at most 65,535 bytes: the protocol's own limit) and the packet id (2 bytes) besides the payload.
     * OpenWire: a TextMessage's frame holds the text (4 bytes of length, then the characters as modified UTF-8, the
     * same bytes as UTF-8 for JSON of the Basic Multilingual Plane) and headers that Stratos' publishers keep to a
     * few hundred bytes (message and producer ids, destination, timestamps, broker path, a few properties).
     * 128 KiB covers the largest MQTT topic with 60 KiB left for OpenWire headers: 0.4 % of the default limit.
     * The topology listener allows its OpenWire connection the same envelope (TopologyFeed.FRAME_ENVELOPE_BYTES).
     */
    static final long FRAME_ENVELOPE_BYTES = 128 * 1024;

    /** Group of users that may publish and subscribe everything. */
    static final String PUBLISHERS_GROUP = "publishers";
    /** Group of users that may subscribe, and publish only the complete-topology request. */
    static final String READONLY_GROUP = "readonly";

    private static final String NAME_PATTERN = "[A-Za-z0-9_.@-]+";

    /** A broker user; the password never appears in {@link #toString()}. */
    record User(String name, String password, boolean readOnly) {
        User {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(password, "password");
        }

        String group() {
            return readOnly ? READONLY_GROUP : PUBLISHERS_GROUP;
        }

        @Override
        public String toString() {
            return name + (readOnly ? "(" + READONLY_GROUP + ")" : "") + ":****";
        }
    }

    BrokerSettings {
        users = List.copyOf(users);
        errors = List.copyOf(errors);
    }

    static BrokerSettings parse(Map<String, ?> props) {
        List<String> errors = new ArrayList<>();
        String bind = text(props, BIND_ADDRESS, DEFAULT_BIND_ADDRESS);
        int openwire = (int) number(props, OPENWIRE_PORT, DEFAULT_OPENWIRE_PORT, 0, 65535, errors);
        int mqtt = (int) number(props, MQTT_PORT, DEFAULT_MQTT_PORT, 0, 65535, errors);
        String name = text(props, BROKER_NAME, DEFAULT_BROKER_NAME).replaceAll("[^A-Za-z0-9_.-]", "_");
        long maxMessage = number(props, MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES, MIN_MAX_MESSAGE_BYTES,
                MAX_MAX_MESSAGE_BYTES, errors);
        List<User> users = users(text(props, USERS, ""), errors);
        return new BrokerSettings(bind, openwire, mqtt, name, maxMessage, maxMessage + FRAME_ENVELOPE_BYTES, users,
                errors);
    }

    boolean authentication() {
        return !users.isEmpty();
    }

    /**
     * Why the connectors must not start, or empty when they may: a bind address that is not an IP literal (or
     * {@code localhost}), or one that is not loopback while authentication is off, would let anyone on the network
     * publish topology to the load balancer.
     */
    Optional<String> refusal() {
        Optional<Boolean> loopback = loopback(bindAddress);
        if (loopback.isEmpty()) {
            return Optional.of(BIND_ADDRESS + " \"" + bindAddress + "\" is not an IP address or localhost; set "
                    + BIND_ADDRESS + " in etc/org.stratoslvs.broker.cfg");
        }
        if (!loopback.get() && !authentication()) {
            return Optional.of(BIND_ADDRESS + " " + bindAddress + " is not a loopback address and authentication is "
                    + "off, so anyone who reaches it could publish topology: set " + USERS
                    + " = name:password[:readonly],... in etc/org.stratoslvs.broker.cfg (and broker.username/"
                    + "broker.password in etc/org.stratoslvs.cfg), or " + BIND_ADDRESS + " = 127.0.0.1");
        }
        return Optional.empty();
    }

    /**
     * True for 127.0.0.0/8, ::1 (and its IPv4-mapped form) and the name {@code localhost}; false for any other IP
     * literal, the wildcard addresses among them; empty for what is not an IP literal (never resolved: no DNS here).
     */
    static Optional<Boolean> loopback(String address) {
        if (address.equalsIgnoreCase("localhost")) {
            return Optional.of(true);
        }
        if (!address.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            return Optional.empty();
        }
        try {
            // An IP literal: getByName parses it without a lookup.
            return Optional.of(InetAddress.getByName(address).isLoopbackAddress());
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** {@code name:password[:readonly]}, comma separated; a bad entry is reported (without its password) and skipped. */
    private static List<User> users(String spec, List<String> errors) {
        Map<String, User> users = new LinkedHashMap<>();
        if (spec.isEmpty()) {
            return List.of();
        }
        int position = 0;
        for (String raw : spec.split(",", -1)) {
            position++;
            String entry = raw.trim();
            String[] parts = entry.split(":", -1);
            String name = parts[0].trim();
            // The name only once it is known to be one: a lone word may be a password typed in the wrong place.
            String where = USERS + " entry " + position
                    + (parts.length >= 2 && name.matches(NAME_PATTERN) ? " (" + name + ")" : "");
            if (parts.length < 2 || parts.length > 3) {
                errors.add(where + " must be name:password or name:password:" + READONLY_GROUP + "; skipped");
            } else if (!name.matches(NAME_PATTERN)) {
                errors.add(where + ": a user name is letters, digits and _ . @ -; skipped");
            } else if (parts[1].isEmpty() || !parts[1].equals(parts[1].strip())) {
                errors.add(where + ": the password is empty or has spaces around it; skipped");
            } else if (parts.length == 3 && !parts[2].trim().equals(READONLY_GROUP)) {
                errors.add(where + ": the only group is " + READONLY_GROUP + " (no group: publish and subscribe "
                        + "everything); skipped");
            } else if (users.containsKey(name)) {
                errors.add(where + ": user listed twice; the first one is used");
            } else {
                users.put(name, new User(name, parts[1], parts.length == 3));
            }
        }
        return List.copyOf(users.values());
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
