package org.stratoslvs.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.stratoslvs.core.topology.Outcome;
import org.stratoslvs.core.topology.TopologyEvent;
import org.stratoslvs.core.topology.TopologyEvents;
import org.stratoslvs.core.topology.TopologyStore;

/**
 * Throughput of the topology core on realistic message bodies (the JSON shapes Stratos 4.1.5 sends):
 * <ul>
 *   <li>{@code memberEvent}: parse + validate + apply one member event (a suspend, then a re-activation with a new
 *       address, cycling over random members, so every event really changes the model) on a 10,000-member
 *       topology, in three shapes: 1,000 clusters of 10; one service with 4 clusters of 2,500; one service with a
 *       single cluster of 10,000.</li>
 *   <li>{@code parseMemberEvent}: the parse + validation part alone.</li>
 *   <li>{@code reconcileComplete}: a complete topology of 1,000 services × 10 members replacing the model, with
 *       drift counted (1% of the members differ between the two alternating bodies).</li>
 * </ul>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar TopologyEventsBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s}
 */
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class TopologyEventsBenchmark {

    @State(Scope.Benchmark)
    public static class MemberEvents {

        /** services x clusters-per-service x members-per-cluster; each shape holds 10,000 members. */
        @Param({"100x10x10", "1x4x2500", "1x1x10000"})
        public String shape;

        TopologyStore store;
        String[] topics;
        byte[][] bodies;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            String[] dims = shape.split("x");
            int services = Integer.parseInt(dims[0]);
            int clusters = Integer.parseInt(dims[1]);
            int members = Integer.parseInt(dims[2]);
            store = new TopologyStore();
            Outcome o = store.accept("topology.CompleteTopologyEvent",
                    StratosMessages.completeTopology(services, clusters, members, 0, 0).getBytes(StandardCharsets.UTF_8));
            if (!o.changed() || store.current().memberCount() != services * clusters * members) {
                throw new IllegalStateException("setup failed: " + o);
            }
            // Pairs (suspend m, re-activate m with a new address) over random members: every event is a change,
            // and after a full pass every member is Active again, so the array can be replayed forever.
            Random rnd = new Random(1);
            int pairs = 8192;
            topics = new String[pairs * 2];
            bodies = new byte[pairs * 2][];
            for (int i = 0; i < pairs; i++) {
                int s = rnd.nextInt(services);
                int c = rnd.nextInt(clusters);
                int m = rnd.nextInt(members);
                topics[2 * i] = "topology.MemberSuspendedEvent";
                bodies[2 * i] = StratosMessages.memberSuspended(s, c, m).getBytes(StandardCharsets.UTF_8);
                topics[2 * i + 1] = "topology.MemberActivatedEvent";
                bodies[2 * i + 1] = StratosMessages.memberActivated(s, c, m, "10.200." + (i >> 8 & 255) + "."
                        + (1 + (i & 127))).getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Outcome memberEvent(MemberEvents st) {
        int i = st.next;
        st.next = i + 1 == st.topics.length ? 0 : i + 1;
        Outcome o = st.store.accept(st.topics[i], st.bodies[i]);
        if (o.rejected()) {
            throw new IllegalStateException(o.toString());
        }
        return o;
    }

    @State(Scope.Benchmark)
    public static class ParseOnly {
        String body;

        @Setup(Level.Trial)
        public void setUp() {
            body = StratosMessages.memberActivated(3, 4, 5, "10.1.2.3");
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public TopologyEvent parseMemberEvent(ParseOnly st) {
        return TopologyEvents.parse("MemberActivatedEvent", st.body);
    }

    @State(Scope.Benchmark)
    public static class Reconcile {
        TopologyStore store;
        List<byte[]> bodies = new ArrayList<>();
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            // 1,000 services with one cluster of 10: 10,000 members. The second body differs in 1% of the members.
            bodies.add(StratosMessages.completeTopology(1000, 1, 10, 0, 0).getBytes(StandardCharsets.UTF_8));
            bodies.add(StratosMessages.completeTopology(1000, 1, 10, 100, 1).getBytes(StandardCharsets.UTF_8));
            store = new TopologyStore();
            store.accept("topology.CompleteTopologyEvent", bodies.get(0));
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Outcome reconcileComplete(Reconcile st) {
        st.next ^= 1;
        Outcome o = st.store.accept("topology.CompleteTopologyEvent", st.bodies.get(st.next));
        if (!o.changed()) {
            throw new IllegalStateException(o.toString());
        }
        return o;
    }
}
