package org.stratoslvs.core.topology;

/** Why a topology message, or one element of a complete topology, was not applied. */
public enum RejectReason {
    /** Body larger than {@code topology.max.message.bytes}, refused before parsing. */
    TOO_LARGE,
    /**
     * A JMS message refused before its body is read: compressed (ActiveMQ would inflate it to any size) or neither
     * text nor bytes (an object message would be deserialized).
     */
    UNSUPPORTED_MESSAGE,
    /** Not strict JSON (syntax, bad UTF-8, bad escape, unpaired surrogate, control character). */
    MALFORMED_JSON,
    /** JSON nested deeper, with a longer string or number, or with more values, than the reader allows. */
    JSON_LIMIT,
    /**
     * More members, clusters or services in one message than {@code topology.max.members} (the whole message is
     * refused), or more ports in one port map than {@link TopologyEvents#MAX_PORTS_PER_MAP} (a bad part like any
     * other: its member or service is left out of a complete topology, a member event is refused).
     */
    TOO_MANY_ELEMENTS,
    /** A field of the wrong JSON type (string where an object is expected, ...). */
    WRONG_TYPE,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** An address that is not a strict IPv4/IPv6 literal (host names, IPv4-mapped IPv6 forms, CIDR, garbage). */
    INVALID_IP,
    /**
     * A well-formed address that cannot be a real server: link-local (fe80::/10, 169.254/16) or with a zone id,
     * loopback, multicast, unspecified, broadcast (see {@link org.stratoslvs.core.validate.IpLiterals.Kind}).
     */
    UNUSABLE_IP,
    /** A port number outside 1-65535, not an integer, or a bad protocol word. */
    INVALID_PORT,
    /** A service, cluster, member, partition or application name outside the strict identifier alphabet. */
    INVALID_NAME,
    /** Any other bad value: unknown member state, unknown IP type. */
    INVALID_VALUE,
    /** Ids that contradict each other (map key versus id field, member in another service's cluster). */
    INCONSISTENT,
    /** The event names a service the model does not have (Stratos' processors drop these too). */
    UNKNOWN_SERVICE,
    /** The event names a cluster the model does not have. */
    UNKNOWN_CLUSTER,
    /** A member lifecycle event for a member the model does not have (only MemberCreatedEvent creates one). */
    UNKNOWN_MEMBER,
    /** An event for a member already terminated: a late or re-delivered event must not resurrect it. */
    TERMINATED_MEMBER,
    /** A lifecycle event older than the member's current state (e.g. MemberStartedEvent after activation). */
    STALE_STATUS,
    /** A non-complete event before the first complete topology. */
    NOT_INITIALIZED
}
