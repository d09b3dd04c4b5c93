package org.stratoslvs.core.topology;

import java.util.SortedMap;

import org.stratoslvs.core.collect.PersistentSortedMap;
import org.stratoslvs.core.validate.Identifiers;

/**
 * A cluster of a service, immutable; members keyed by member id, sorted. The member map is a
 * {@link PersistentSortedMap}, so {@link #withMember} and {@link #withoutMember} cost O(log n) whatever the
 * cluster size.
 */
public record Cluster(String clusterId, String serviceName, String appId, boolean lbCluster,
                      SortedMap<String, Member> members) {

    public Cluster {
        Identifiers.require("cluster id", clusterId);
        Identifiers.require("service name", serviceName);
        if (appId != null) {
            Identifiers.require("application id", appId);
        }
        members = PersistentSortedMap.copyOf(members);
    }

    public Member member(String memberId) {
        return members.get(memberId);
    }

    public Cluster withMember(Member member) {
        PersistentSortedMap<String, Member> updated = memberMap().plus(member.memberId(), member);
        return updated == members ? this : new Cluster(clusterId, serviceName, appId, lbCluster, updated);
    }

    public Cluster withoutMember(String memberId) {
        PersistentSortedMap<String, Member> updated = memberMap().minus(memberId);
        return updated == members ? this : new Cluster(clusterId, serviceName, appId, lbCluster, updated);
    }

    /** Same id, service, application and flag, other members. */
    public Cluster withMembers(SortedMap<String, Member> newMembers) {
        return new Cluster(clusterId, serviceName, appId, lbCluster, newMembers);
    }

    private PersistentSortedMap<String, Member> memberMap() {
        return (PersistentSortedMap<String, Member>) members;
    }
}
