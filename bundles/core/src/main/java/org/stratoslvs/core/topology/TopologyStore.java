package org.stratoslvs.core.topology;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.core.json.JsonException;
import org.stratoslvs.core.json.JsonReader;
import org.stratoslvs.core.topology.TopologyEvent.Complete;
import org.stratoslvs.core.topology.TopologyEvent.MemberChange;
import org.stratoslvs.core.validate.Identifiers;

/**
 * Owns the live topology: takes raw messages from the {@code topology.>} topics, applies them and keeps the
 * counters the shell, JMX and the web console show.
 *
 * <p>Threading: {@link #accept} calls are serialized (one writer; parsing happens before the lock); the current
 * snapshot is published through a volatile field, so {@link #current()} never blocks and never sees half an
 * update. Snapshots are immutable and share structure, so an update costs O(log n).
 *
 * <p>Hostile input never changes the model: a refused message leaves {@link #current()} the very same object.
 * A complete topology with bad parts keeps the good parts (see {@link TopologyEvents}). The store does not log:
 * every {@link Outcome} says what happened and the counters say how often.
 *
 * <p>Terminated members: their ids are remembered (the last {@value #MAX_TOMBSTONES}), so a late or re-delivered
 * MemberCreatedEvent cannot bring one back ({@code TERMINATED_MEMBER}); a complete topology that lists the member
 * again is authoritative and clears the mark. Other late events for it already fail as {@code UNKNOWN_MEMBER}.
 *
 * <p>Reconciliation: every complete topology replaces the model. When one arrives while the model is already
 * initialized, the members it adds, removes or changes are counted as drift repairs (events that were missed).
 */
public final class TopologyStore {

    /** Configuration key of the largest accepted message body, in bytes. */
    public static final String MAX_MESSAGE_BYTES_KEY = "topology.max.message.bytes";
    /**
     * 32 MiB. A Stratos 4.1.5 complete topology costs about 1.2 KB per member (each member is serialized twice:
     * in its service's clusterIdClusterMap and in the top-level clusterMap), so 10,000 members make about 12 MB;
     * 32 MiB leaves room for about 25,000. A lower limit would refuse every resync of a large deployment.
     */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = 32L * 1024 * 1024;
    /** Configuration key of the most services, clusters and members (each) one message may carry. */
    public static final String MAX_MEMBERS_KEY = "topology.max.members";
    /**
     * The documented largest topology, 25,000 members, and 20% more: the margin the byte limit has (32 MiB holds
     * about 27,900 members of Stratos 4.1.5's shape). Bad members count too: they are in the message.
     */
    public static final int DEFAULT_MAX_MEMBERS = 30_000;
    public static final int DEFAULT_RECENT_REJECTS = 20;
    static final int MAX_TOMBSTONES = 10_000;
    /** Distinct ignored event types counted by name; further ones share one bucket so topics cannot grow memory. */
    static final int MAX_IGNORED_TYPES = 64;
    static final String OTHER_IGNORED = "(other)";

    private static final String JMS_PREFIX = "topology.";
    private static final String MQTT_PREFIX = "topology/";

    private final Clock clock;
    private final int recentRejectsCapacity;
    private final JsonReader.Limits jsonLimits;
    /** {@link #jsonLimits}, with the value limit scaled to the byte limit when that is raised (see setter). */
    private volatile JsonReader.Limits effectiveJsonLimits;
    private volatile long maxMessageBytes;
    private volatile int maxMembers = DEFAULT_MAX_MEMBERS;

    private volatile Topology current = Topology.EMPTY;

    private final Object lock = new Object();
    // Guarded by lock:
    private long eventsApplied;
    private long eventsIgnored;
    private long completeTopologies;
    private long driftRepairs;
    private Instant lastEventAt;
    private final EnumMap<RejectReason, Long> rejects = new EnumMap<>(RejectReason.class);
    private final ArrayDeque<ListenerStatus.Reject> recentRejects = new ArrayDeque<>();
    private final Map<String, Long> ignoredByType = new TreeMap<>();
    private final LinkedHashMap<MemberKey, Boolean> terminated = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<MemberKey, Boolean> eldest) {
            return size() > MAX_TOMBSTONES;
        }
    };

    private record MemberKey(String service, String cluster, String member) {
    }

    public TopologyStore() {
        this(Clock.systemUTC(), DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_RECENT_REJECTS, JsonReader.Limits.DEFAULT);
    }

    public TopologyStore(Clock clock, long maxMessageBytes, int recentRejectsCapacity, JsonReader.Limits jsonLimits) {
        if (recentRejectsCapacity < 1) {
            throw new IllegalArgumentException("recentRejectsCapacity must be positive");
        }
        this.clock = clock;
        this.recentRejectsCapacity = recentRejectsCapacity;
        this.jsonLimits = jsonLimits;
        setMaxMessageBytes(maxMessageBytes);
    }

    // ------------------------------------------------------------------ settings the route calls

    /**
     * Also scales the JSON value limit: raised above {@link #DEFAULT_MAX_MESSAGE_BYTES} (a larger deployment), the
     * value limit grows in proportion, so that the one setting an operator raises for a larger topology is not
     * met by a second, hidden one. Lowered, the value limit stays: the byte limit then binds first.
     */
    public void setMaxMessageBytes(long maxMessageBytes) {
        if (maxMessageBytes < 2) {
            throw new IllegalArgumentException(MAX_MESSAGE_BYTES_KEY + " must be at least 2");
        }
        this.maxMessageBytes = maxMessageBytes;
        long values = jsonLimits.maxValues();
        if (maxMessageBytes > DEFAULT_MAX_MESSAGE_BYTES) {
            values = Math.min(Integer.MAX_VALUE, values * maxMessageBytes / DEFAULT_MAX_MESSAGE_BYTES);
        }
        this.effectiveJsonLimits = jsonLimits.withMaxValues((int) values);
    }

    /** The JSON limits messages are read with. */
    public JsonReader.Limits jsonLimits() {
        return effectiveJsonLimits;
    }

    /** Most services, most clusters and most members (each counted, bad ones included) in one message. */
    public void setMaxMembers(int maxMembers) {
        if (maxMembers < 1) {
            throw new IllegalArgumentException(MAX_MEMBERS_KEY + " must be positive");
        }
        this.maxMembers = maxMembers;
    }

    public int maxMembers() {
        return maxMembers;
    }

    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    // ------------------------------------------------------------------ reading

    /** The full (unfiltered) snapshot; never null. Apply a {@link TopologyFilter} for what the LB balances. */
    public Topology current() {
        return current;
    }

    /** {@link #status(String, boolean)} of a store nobody feeds from a broker (tests, tools): none, not connected. */
    public ListenerStatus status() {
        return status(null, false);
    }

    /**
     * What the store counted, with the broker facts of whoever feeds it: the store knows messages, not connections
     * (the listener component owns the route and its broker).
     */
    public ListenerStatus status(String brokerUrl, boolean connected) {
        synchronized (lock) {
            Map<String, Long> byReason = new LinkedHashMap<>();
            for (RejectReason r : RejectReason.values()) {
                byReason.put(r.name(), rejects.getOrDefault(r, 0L));
            }
            return new ListenerStatus(brokerUrl, connected, eventsApplied, eventsIgnored,
                    Collections.unmodifiableMap(byReason), List.copyOf(recentRejects), lastEventAt,
                    completeTopologies, driftRepairs);
        }
    }

    /** Ignored messages per event type (ClusterInstance*, ClusterReset, unknown types). */
    public Map<String, Long> ignoredByType() {
        synchronized (lock) {
            return Collections.unmodifiableMap(new TreeMap<>(ignoredByType));
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Applies one message.
     *
     * @param topic full JMS topic ({@code topology.MemberActivatedEvent}); the MQTT form with '/' is accepted too
     * @param body  the UTF-8 body (BytesMessage)
     */
    public Outcome accept(String topic, byte[] body) {
        if (body == null) {
            return accept(topic, (String) null);
        }
        String type = eventType(topic);
        if (!TopologyEvents.isHandled(type)) {
            return ignore(topic, type);
        }
        if (body.length > maxMessageBytes) {
            return tooLarge(topic, type, body.length);
        }
        String text;
        try {
            text = decode(body);
        } catch (JsonException e) {
            return reject(topic, type, RejectReason.MALFORMED_JSON, e.getMessage());
        }
        return parseAndApply(topic, type, text);
    }

    /**
     * Counts a message the transport refused before reading its body (see {@link RejectReason#UNSUPPORTED_MESSAGE}),
     * so that it shows among the rejects like any other; the topology is unchanged.
     */
    public Outcome refuseUnread(String topic, String why) {
        return reject(topic, eventType(topic), RejectReason.UNSUPPORTED_MESSAGE, why);
    }

    /**
     * Applies one message whose body already is text (TextMessage).
     *
     * @param body the JSON text; null is refused as malformed
     */
    public Outcome accept(String topic, String body) {
        String type = eventType(topic);
        if (!TopologyEvents.isHandled(type)) {
            return ignore(topic, type);
        }
        if (body == null) {
            return reject(topic, type, RejectReason.MALFORMED_JSON, "empty message body");
        }
        long bytes = utf8Length(body, maxMessageBytes);
        if (bytes > maxMessageBytes) {
            return tooLarge(topic, type, bytes);
        }
        return parseAndApply(topic, type, body);
    }

    private Outcome parseAndApply(String topic, String type, String body) {
        TopologyEvent event;
        try {
            event = TopologyEvents.parse(type, body, effectiveJsonLimits, maxMembers);
        } catch (RejectedException e) {
            return reject(topic, type, e.reason(), e.detail());
        }
        synchronized (lock) {
            lastEventAt = clock.instant();
            Topology before = current;
            if (event instanceof Complete complete) {
                return applyComplete(topic, complete, before);
            }
            if (event instanceof MemberChange mc) {
                MemberKey key = new MemberKey(mc.serviceName(), mc.clusterId(), mc.memberId());
                if (mc.status() == MemberStatus.Terminated && before.initialized()) {
                    terminated.put(key, Boolean.TRUE);
                } else if (mc.status() == MemberStatus.Created && terminated.containsKey(key)
                        && before.member(mc.serviceName(), mc.clusterId(), mc.memberId()) == null) {
                    return rejectLocked(topic, RejectReason.TERMINATED_MEMBER, mc.type() + " member "
                            + Identifiers.quote(mc.memberId()) + " was terminated");
                }
            }
            Topology after;
            try {
                after = TopologyTransitions.apply(before, event);
            } catch (RejectedException e) {
                return rejectLocked(topic, e.reason(), e.detail());
            }
            eventsApplied++;
            countDropped(topic, event.dropped());
            if (after == before) {
                return new Outcome(Outcome.Kind.UNCHANGED, before, event.summary(), null, null, event.dropped());
            }
            current = after;
            return new Outcome(Outcome.Kind.CHANGED, after, event.summary(), null, null, event.dropped());
        }
    }

    private Outcome applyComplete(String topic, Complete complete, Topology before) {
        completeTopologies++;
        eventsApplied++;
        countDropped(topic, complete.dropped());
        Topology after = complete.topology();
        // Members listed again by the authoritative model are no longer terminated.
        terminated.keySet().removeIf(k -> after.member(k.service(), k.cluster(), k.member()) != null);
        String cause = complete.summary();
        if (before.initialized()) {
            Drift drift = Drift.between(before, after);
            driftRepairs += drift.total();
            cause += ", drift " + drift.total();
            if (drift.total() > 0) {
                cause += " (" + drift.added() + " added, " + drift.removed() + " removed, " + drift.changed()
                        + " changed)";
            }
            if (after.equals(before)) {
                return new Outcome(Outcome.Kind.UNCHANGED, before, cause, null, null, complete.dropped());
            }
        }
        current = after;
        return new Outcome(Outcome.Kind.CHANGED, after, cause, null, null, complete.dropped());
    }

    private Outcome ignore(String topic, String type) {
        synchronized (lock) {
            lastEventAt = clock.instant();
            eventsIgnored++;
            String key = isEventTypeName(type) ? type : OTHER_IGNORED;
            if (!ignoredByType.containsKey(key) && ignoredByType.size() >= MAX_IGNORED_TYPES) {
                key = OTHER_IGNORED;
            }
            ignoredByType.merge(key, 1L, Long::sum);
            String cause = (TopologyEvents.IGNORED_TYPES.contains(type) ? "ignored " : "ignored unknown type ")
                    + (isEventTypeName(type) ? type : Identifiers.quote(type));
            return new Outcome(Outcome.Kind.IGNORED, current, cause, null, null, null);
        }
    }

    private Outcome tooLarge(String topic, String type, long bytes) {
        return reject(topic, type, RejectReason.TOO_LARGE, "body of " + bytes + " bytes exceeds "
                + MAX_MESSAGE_BYTES_KEY + "=" + maxMessageBytes);
    }

    private Outcome reject(String topic, String type, RejectReason reason, String detail) {
        synchronized (lock) {
            lastEventAt = clock.instant();
            return rejectLocked(topic, reason, detail);
        }
    }

    private Outcome rejectLocked(String topic, RejectReason reason, String detail) {
        countReject(topic, reason, detail);
        return new Outcome(Outcome.Kind.REJECTED, current, "rejected " + safeTopic(topic), reason, detail, null);
    }

    private void countReject(String topic, RejectReason reason, String detail) {
        rejects.merge(reason, 1L, Long::sum);
        remember(topic, reason, detail);
    }

    /** Every part left out is counted under its reason; the first few (all that the parser kept) are listed. */
    private void countDropped(String topic, DroppedParts dropped) {
        if (dropped.isEmpty()) {
            return;
        }
        dropped.byReason().forEach((reason, n) -> rejects.merge(reason, (long) n, Long::sum));
        for (Rejection r : dropped.sample()) {
            remember(topic, r.reason(), r.detail());
        }
    }

    private void remember(String topic, RejectReason reason, String detail) {
        if (recentRejects.size() >= recentRejectsCapacity) {
            recentRejects.removeFirst();
        }
        recentRejects.addLast(new ListenerStatus.Reject(clock.instant(), safeTopic(topic), reason.name(), detail));
    }

    // ------------------------------------------------------------------ helpers

    /** The event type: topic without its {@code topology.} (or MQTT {@code topology/}) prefix. */
    static String eventType(String topic) {
        if (topic == null) {
            return "";
        }
        if (topic.startsWith(JMS_PREFIX)) {
            return topic.substring(JMS_PREFIX.length());
        }
        if (topic.startsWith(MQTT_PREFIX)) {
            return topic.substring(MQTT_PREFIX.length());
        }
        return topic;
    }

    private static boolean isEventTypeName(String type) {
        if (type.isEmpty() || type.length() > 100) {
            return false;
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** Topic text fit for logs and the status: shown as is when plain, quoted (escaped, cut) otherwise. */
    static String safeTopic(String topic) {
        if (topic == null) {
            return "null";
        }
        if (topic.length() <= 200) {
            boolean plain = !topic.isEmpty();
            for (int i = 0; i < topic.length() && plain; i++) {
                char c = topic.charAt(i);
                plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                        || c == '/' || c == '_' || c == '-';
            }
            if (plain) {
                return topic;
            }
        }
        return Identifiers.quote(topic);
    }

    /** ASCII bodies (Stratos' own) are decoded without a decoder; others strictly. */
    private static String decode(byte[] body) {
        for (byte b : body) {
            if (b < 0) {
                return JsonReader.decodeUtf8(body);
            }
        }
        return new String(body, StandardCharsets.ISO_8859_1);
    }

    /** UTF-8 length of {@code s}, computing exactly only when the character count alone cannot decide. */
    private static long utf8Length(String s, long limit) {
        int n = s.length();
        if (n > limit || (long) n * 3 <= limit) {
            return n; // a char takes 1-3 bytes (a surrogate pair 4 for 2 chars): the count decides either way
        }
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** Members added, removed and changed between two models, matched by service, cluster and member id. */
    record Drift(int added, int removed, int changed) {

        int total() {
            return added + removed + changed;
        }

        static Drift between(Topology before, Topology after) {
            int added = 0;
            int removed = 0;
            int changed = 0;
            for (Service s : after.services().values()) {
                Service old = before.service(s.serviceName());
                for (Cluster c : s.clusters().values()) {
                    Cluster oc = old == null ? null : old.cluster(c.clusterId());
                    if (oc == null) {
                        added += c.members().size();
                        continue;
                    }
                    if (oc.members() == c.members()) {
                        continue;
                    }
                    for (Member m : c.members().values()) {
                        Member om = oc.member(m.memberId());
                        if (om == null) {
                            added++;
                        } else if (!om.equals(m)) {
                            changed++;
                        }
                    }
                    for (String id : oc.members().keySet()) {
                        if (!c.members().containsKey(id)) {
                            removed++;
                        }
                    }
                }
            }
            for (Service s : before.services().values()) {
                Service now = after.service(s.serviceName());
                for (Cluster c : s.clusters().values()) {
                    if (now == null || now.cluster(c.clusterId()) == null) {
                        removed += c.members().size();
                    }
                }
            }
            return new Drift(added, removed, changed);
        }
    }

    /** For tests: how many terminated member ids are remembered. */
    int terminatedCount() {
        synchronized (lock) {
            return terminated.size();
        }
    }

}
