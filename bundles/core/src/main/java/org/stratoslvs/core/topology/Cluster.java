package org.stratoslvs.core.topology;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

import org.stratoslvs.core.validate.Identifiers;

/** A cluster of a service, immutable; members keyed by member id, sorted. */
public record Cluster(String clusterId, String serviceName, String appId, boolean lbCluster,
                      SortedMap<String, Member> members) {

    public Cluster {
        Identifiers.require("cluster id", clusterId);
        Identifiers.require("service name", serviceName);
        if (appId != null) {
            Identifiers.require("application id", appId);
        }
        members = Collections.unmodifiableSortedMap(new TreeMap<>(members == null ? Collections.emptySortedMap() : members));
    }

    public Cluster withMember(Member member) {
        TreeMap<String, Member> copy = new TreeMap<>(members);
        copy.put(member.memberId(), member);
        return new Cluster(clusterId, serviceName, appId, lbCluster, copy);
    }

    public Cluster withoutMember(String memberId) {
        if (!members.containsKey(memberId)) {
            return this;
        }
        TreeMap<String, Member> copy = new TreeMap<>(members);
        copy.remove(memberId);
        return new Cluster(clusterId, serviceName, appId, lbCluster, copy);
    }
}
