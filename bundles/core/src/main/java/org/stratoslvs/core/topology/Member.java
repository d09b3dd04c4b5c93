package org.stratoslvs.core.topology;

import java.util.Objects;
import java.util.SortedMap;

import org.stratoslvs.core.collect.PersistentSortedMap;
import org.stratoslvs.core.validate.Identifiers;

/**
 * One member (instance) of a cluster, immutable. Addresses are canonical IP literals already validated by
 * {@link org.stratoslvs.core.validate.IpLiterals}; either may be null while the member is not yet initialized.
 *
 * @param ports        keyed by proxy port, sorted
 * @param lbIpType     the member's own {@code loadBalancingIPType}, or null when the sender left it out
 */
public record Member(String memberId, String serviceName, String clusterId, String networkPartitionId,
                     String partitionId, MemberStatus status, SortedMap<Integer, Port> ports, String privateIp,
                     String publicIp, IpType lbIpType) {

    public Member {
        Identifiers.require("member id", memberId);
        Identifiers.require("service name", serviceName);
        Identifiers.require("cluster id", clusterId);
        if (networkPartitionId != null) {
            Identifiers.require("network partition id", networkPartitionId);
        }
        if (partitionId != null) {
            Identifiers.require("partition id", partitionId);
        }
        Objects.requireNonNull(status, "status");
        ports = PersistentSortedMap.copyOf(ports);
    }

    /**
     * The address a load balancer sends to: the member's own {@code loadBalancingIPType} when given, else the
     * configured default. Null when that address is unknown.
     */
    public String addressFor(IpType defaultType) {
        IpType type = lbIpType != null ? lbIpType : defaultType;
        return type == IpType.PUBLIC ? publicIp : privateIp;
    }

    public Member withStatus(MemberStatus newStatus) {
        if (newStatus == status) {
            return this;
        }
        return new Member(memberId, serviceName, clusterId, networkPartitionId, partitionId, newStatus, ports,
                privateIp, publicIp, lbIpType);
    }
}
