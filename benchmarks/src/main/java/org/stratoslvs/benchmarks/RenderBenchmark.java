package org.stratoslvs.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Port;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.render.KeepalivedRenderer;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;

/**
 * keepalived.conf rendering time. {@code render}: 1,000 services x 10 members, one port each (the target: under
 * 20 ms). {@code renderScaling}: 10 members per service, 100 / 1,000 / 10,000 members in total, one or two ports
 * (two ports double the real servers). Run: {@code java -jar benchmarks/target/benchmarks.jar Render -f 1 -wi 2 -i 3}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RenderBenchmark {

    @State(Scope.Benchmark)
    public static class Thousand {
        Topology topology;
        RenderSettings.Parsed settings;

        @Setup
        public void setUp() {
            topology = topology(1000, 10, 1);
            settings = settings(1000);
        }
    }

    @State(Scope.Benchmark)
    public static class Scaling {
        @Param({"100", "1000", "10000"})
        int members;

        @Param({"1", "2"})
        int ports;

        Topology topology;
        RenderSettings.Parsed settings;

        @Setup
        public void setUp() {
            int services = Math.max(1, members / 10);
            topology = topology(services, 10, ports);
            settings = settings(services);
        }
    }

    @Benchmark
    public RenderResult render(Thousand s) {
        return KeepalivedRenderer.render(s.topology, s.settings);
    }

    @Benchmark
    public RenderResult renderScaling(Scaling s) {
        return KeepalivedRenderer.render(s.topology, s.settings);
    }

    static RenderSettings.Parsed settings(int services) {
        StringBuilder mapping = new StringBuilder();
        for (int s = 0; s < services; s++) {
            if (s > 0) {
                mapping.append(',');
            }
            mapping.append(String.format("svc%05d|172.16.%d.%d", s, (s + 1) >> 8, (s + 1) & 0xff));
        }
        return RenderSettings.parse(Map.of(RenderSettings.VIRTUALIP_SET, mapping.toString(),
                RenderSettings.LB_KIND, "NAT"), List.of());
    }

    static Topology topology(int services, int membersPerService, int portCount) {
        SortedMap<Integer, Port> ports = new TreeMap<>();
        ports.put(80, new Port("http", 8080, 80));
        if (portCount > 1) {
            ports.put(443, new Port("https", 8443, 443));
        }
        SortedMap<String, Service> all = new TreeMap<>();
        int address = 0;
        for (int s = 0; s < services; s++) {
            String name = String.format("svc%05d", s);
            SortedMap<String, Member> members = new TreeMap<>();
            for (int m = 0; m < membersPerService; m++) {
                address++;
                String ip = "10." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "." + (address & 0xff);
                String id = name + "-m" + m;
                members.put(id, new Member(id, name, name + ".c1", "np1", "p1", MemberStatus.Active, ports, ip, null,
                        null));
            }
            Cluster c = new Cluster(name + ".c1", name, "app", false, members);
            SortedMap<String, Cluster> clusters = new TreeMap<>();
            clusters.put(c.clusterId(), c);
            all.put(name, new Service(name, "SingleTenant", ports, clusters));
        }
        return new Topology(all, true);
    }
}
