package org.stratoslvs.benchmarks;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.core.topology.TopologyEvent;
import org.stratoslvs.core.topology.TopologyTransitions;
import org.stratoslvs.render.RenderCache;
import org.stratoslvs.render.KeepalivedRenderer;
import org.stratoslvs.render.RenderResult;
import org.stratoslvs.render.RenderSettings;
import org.stratoslvs.render.Scale;

/**
 * keepalived.conf rendering time. {@code render}: 1,000 services x 10 members, one port each (the target: under
 * 20 ms). {@code renderScaling}: 10 members per service, 100 / 1,000 / 10,000 members in total, one or two ports
 * (two ports double the real servers). {@code rerenderAfterOneMemberChange}: what the render loop does after one
 * member event at 10,000 members with two ports (compare with {@code renderScaling} 10000/2): a rendering with a
 * {@link RenderCache} that holds the previous snapshot's rendering, so only the changed service is rendered again.
 * Run: {@code java -jar benchmarks/target/benchmarks.jar Render -f 1 -wi 2 -i 3}
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

    /**
     * Two snapshots one member event apart (a member of svc0500 suspended, applied as the topology store applies
     * events, so they share every other service); each invocation renders the other one, so the cache always
     * holds the previous snapshot's rendering and one service differs.
     */
    @State(Scope.Benchmark)
    public static class OneMemberChange {
        Topology[] topologies;
        RenderSettings.Parsed settings;
        RenderCache cache;
        int next;

        @Setup
        public void setUp() {
            int services = 1000;
            Topology before = topology(services, 10, 2);
            Topology after = TopologyTransitions.apply(before, new TopologyEvent.MemberChange("MemberSuspendedEvent",
                    MemberStatus.Suspended, "svc0500", "svc0500.c1", "svc0500-m5", null, null, null, null, null,
                    null));
            topologies = new Topology[] {before, after};
            settings = settings(services);
            cache = new RenderCache();
            KeepalivedRenderer.render(before, settings, cache);
            next = 1;
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

    @Benchmark
    public RenderResult rerenderAfterOneMemberChange(OneMemberChange s) {
        Topology t = s.topologies[s.next];
        s.next ^= 1;
        return KeepalivedRenderer.render(t, s.settings, s.cache);
    }

    static RenderSettings.Parsed settings(int services) {
        return RenderSettings.parse(Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(services),
                RenderSettings.LB_KIND, "NAT"), List.of());
    }

    static Topology topology(int services, int membersPerService, int portCount) {
        return Scale.topology(services, membersPerService, portCount);
    }
}
