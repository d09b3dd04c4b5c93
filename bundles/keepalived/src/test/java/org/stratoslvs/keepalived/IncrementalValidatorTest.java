package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stratoslvs.core.topology.Cluster;
import org.stratoslvs.core.topology.Member;
import org.stratoslvs.core.topology.MemberStatus;
import org.stratoslvs.core.topology.Service;
import org.stratoslvs.core.topology.Topology;
import org.stratoslvs.render.KeepalivedConfigCheck;
import org.stratoslvs.render.KeepalivedRenderer;
import org.stratoslvs.render.RenderSettings;
import org.stratoslvs.render.Scale;

/**
 * Incremental validation against the real keepalived -t, on files the real renderer makes: it must reach the same
 * verdict as validating the whole file, every time, and name the same lines when it rejects.
 */
class IncrementalValidatorTest {

    private static KeepalivedConfigCheck check;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keepalived() {
        check = KeepalivedConfigCheck.shared();
    }

    private KeepalivedValidator validator() {
        return new KeepalivedValidator(file -> List.of(TestEnv.KEEPALIVED.toString(), "-t", "-f", file.toString(),
                "-s", check.namespace()), Duration.ofSeconds(30), tmp.resolve("validate"));
    }

    /** Settings that between them put every kind of virtual-server content and every head feature in the file. */
    private static List<Map<String, Object>> variants(int services) {
        String mapping = Scale.mapping(services);
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(props(RenderSettings.VIRTUALIP_SET, mapping));
        out.add(props(RenderSettings.VIRTUALIP_SET, mapping, RenderSettings.LB_KIND, "DR",
                RenderSettings.CHECK, "HTTP_GET", RenderSettings.CHECK_HTTP_PATH, "/health",
                RenderSettings.SORRY_SERVER, "10.30.0.9 8080", RenderSettings.PERSISTENCE_TIMEOUT, "300",
                RenderSettings.QUORUM, "2", RenderSettings.HYSTERESIS, "1", RenderSettings.ALPHA, "true",
                RenderSettings.OMEGA, "true", RenderSettings.INHIBIT_ON_FAILURE, "true"));
        out.add(props(RenderSettings.VIRTUALIP_SET, mapping, RenderSettings.CHECK, "MISC_CHECK",
                RenderSettings.CHECK_MISC_PATH, "/usr/local/bin/check", RenderSettings.SCRIPT_USER, "root",
                RenderSettings.VRRP_NOTIFY_MASTER, "/etc/keepalived/master.sh"));
        out.add(props(RenderSettings.VIRTUALIP_SET, mapping, RenderSettings.CHECK, "SSL_GET",
                RenderSettings.LB_ALGO, "wlc", RenderSettings.VRRP_GROUPING, "per-service",
                RenderSettings.VRRP_SYNC_GROUP, "true", RenderSettings.VRRP_UNICAST_SRC, "10.99.0.1",
                RenderSettings.VRRP_UNICAST_PEERS, "10.99.0.2", RenderSettings.VRRP_AUTH_TYPE, "PASS",
                RenderSettings.VRRP_AUTH_PASS, "Pw-12345"));
        out.add(props(RenderSettings.VIRTUALIP_SET, mapping, RenderSettings.CHECK, "NONE",
                RenderSettings.LB_KIND, "TUN", RenderSettings.HA_SUSPEND, "true", RenderSettings.WEIGHT, "10",
                RenderSettings.DELAY_LOOP, "60", RenderSettings.ROUTER_ID, "lb-1"));
        return out;
    }

    private static Map<String, Object> props(String... keysAndValues) {
        Map<String, Object> p = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return p;
    }

    private static String render(Topology t, Map<String, Object> props) {
        RenderSettings.Parsed parsed = RenderSettings.parse(props, List.of());
        assertEquals(List.of(), parsed.errors());
        return KeepalivedRenderer.render(t, parsed).text();
    }

    @Test
    void reachesTheSameVerdictAsTheWholeFileAndNamesTheSameLines() {
        KeepalivedValidator whole = validator();
        int incrementalChecks = 0;
        int rejections = 0;
        int step = 0;
        for (Map<String, Object> props : variants(6)) {
            IncrementalValidator incremental = new IncrementalValidator(validator());
            Random rnd = new Random(415 + step);
            Topology t = Scale.topology(6, 5, 2);
            for (int i = 0; i < 16; i++, step++) {
                t = mutate(t, rnd);
                String text = render(t, props);
                String label = "step " + step + " with " + props;
                if (i % 4 == 3) {
                    text = breakOneVirtualServer(text, rnd);
                }
                IncrementalValidator.Outcome outcome = incremental.validate(text, true);
                KeepalivedValidator.Result reference = whole.validate(text);
                assertEquals(reference.accepted(), outcome.result().accepted(),
                        label + "\nincremental: " + outcome.result().message() + "\nwhole: " + reference.message()
                                + "\n" + text);
                if (!outcome.complete()) {
                    incrementalChecks++;
                    assertTrue(outcome.checked() < outcome.virtualServers() || outcome.virtualServers() <= 2, label);
                }
                if (!reference.accepted()) {
                    rejections++;
                    List<String> named = lineMessages(outcome.result().message());
                    assertFalse(named.isEmpty(), label + ": " + outcome.result().message());
                    for (String m : named) {
                        assertTrue(reference.message().contains(m), label + ": '" + m + "' is not in the whole "
                                + "file's verdict:\n" + reference.message());
                    }
                }
            }
        }
        // most steps must have gone the incremental way, and every broken file was caught
        assertTrue(incrementalChecks >= step / 2, incrementalChecks + " of " + step);
        assertEquals(step / 4, rejections);
    }

    @Test
    void aMemberEventChecksOnlyItsServicesVirtualServers() {
        IncrementalValidator incremental = new IncrementalValidator(validator());
        Map<String, Object> props = Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(100));
        Topology t = Scale.topology(100, 10, 2);
        IncrementalValidator.Outcome first = incremental.validate(render(t, props), true);
        assertTrue(first.result().accepted(), first.result().message());
        assertTrue(first.complete(), "nothing to compare with yet: the whole file is checked");

        Topology changed = withStatus(t, "svc0042", "svc0042-m3", MemberStatus.Suspended);
        IncrementalValidator.Outcome next = incremental.validate(render(changed, props), true);
        assertTrue(next.result().accepted(), next.result().message());
        assertFalse(next.complete());
        assertEquals(2, next.checked(), "the service's two ports");
        assertEquals(200, next.virtualServers());
        assertTrue(next.step().contains("2 of 200 virtual servers changed"), next.step());

        // back to the first file: its blocks are the last accepted ones' except the two, checked again
        IncrementalValidator.Outcome back = incremental.validate(render(t, props), true);
        assertEquals(2, back.checked());

        // a settings change touches the head: the whole file again
        Map<String, Object> other = Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(100),
                RenderSettings.VRRP_PRIORITY, "120");
        IncrementalValidator.Outcome settings = incremental.validate(render(t, other), true);
        assertTrue(settings.result().accepted(), settings.result().message());
        assertTrue(settings.complete());

        // scope full, or after forget(): whole files
        assertTrue(incremental.validate(render(changed, other), false).complete());
        incremental.forget();
        assertTrue(incremental.validate(render(t, other), true).complete());
    }

    @Test
    void aServiceLeavingNeedsNoNewCheckButARejectedCandidateIsNotRemembered() {
        IncrementalValidator incremental = new IncrementalValidator(validator());
        Map<String, Object> props = Map.of(RenderSettings.VIRTUALIP_SET, Scale.mapping(4));
        Topology t = Scale.topology(4, 3, 1);
        assertTrue(incremental.validate(render(t, props), true).result().accepted());

        SortedMap<String, Service> fewer = new TreeMap<>(t.services());
        fewer.remove("svc0001");
        IncrementalValidator.Outcome removal = incremental.validate(render(new Topology(fewer, true), props), true);
        assertTrue(removal.result().accepted());
        assertEquals(0, removal.checked(), "every block left was accepted with this head");

        String broken = render(t, props).replace("lvs_sched rr", "lvs_sched nosuch");
        IncrementalValidator.Outcome rejected = incremental.validate(broken, true);
        assertFalse(rejected.result().accepted());
        assertTrue(rejected.result().message().contains("nosuch"), rejected.result().message());
        // the reference is still the accepted file without svc0001: adding it back checks just its block
        IncrementalValidator.Outcome again = incremental.validate(render(t, props), true);
        assertTrue(again.result().accepted());
        assertEquals(1, again.checked());
    }

    private static final Pattern NAMED_LINE = Pattern.compile("\\(config: Line \\d+\\)[^\\n]*");

    private static List<String> lineMessages(String message) {
        List<String> out = new ArrayList<>();
        Matcher m = NAMED_LINE.matcher(message);
        while (m.find()) {
            String s = m.group();
            int cut = s.indexOf(" (checked: ");
            out.add(cut < 0 ? s : s.substring(0, cut));
        }
        return out;
    }

    /** An error keepalived -t reports in one virtual server, chosen at random. */
    private static String breakOneVirtualServer(String text, Random rnd) {
        List<Integer> starts = new ArrayList<>();
        for (int i = text.indexOf("\nvirtual_server "); i >= 0; i = text.indexOf("\nvirtual_server ", i + 1)) {
            starts.add(i + 1);
        }
        int at = starts.get(rnd.nextInt(starts.size()));
        int lineEnd = text.indexOf('\n', at) + 1;
        String fault = rnd.nextBoolean() ? "    lvs_sched nosuch\n" : "    delay_loop -7\n";
        return text.substring(0, lineEnd) + fault + text.substring(lineEnd);
    }

    /** One to three members change state, or a member with a fresh address joins. */
    private static Topology mutate(Topology t, Random rnd) {
        List<String> names = new ArrayList<>(t.services().keySet());
        int changes = 1 + rnd.nextInt(3);
        for (int c = 0; c < changes; c++) {
            Service s = t.services().get(names.get(rnd.nextInt(names.size())));
            Cluster cluster = s.clusters().values().iterator().next();
            List<Member> members = new ArrayList<>(cluster.members().values());
            if (rnd.nextInt(5) == 0) {
                Member model = members.get(0);
                String id = s.serviceName() + "-x" + rnd.nextInt(1000);
                Member joined = new Member(id, model.serviceName(), model.clusterId(), model.networkPartitionId(),
                        model.partitionId(), MemberStatus.Active, model.ports(), "10.200." + rnd.nextInt(250) + "."
                        + (1 + rnd.nextInt(250)), null, null);
                t = withMember(t, joined);
            } else {
                Member m = members.get(rnd.nextInt(members.size()));
                MemberStatus next = m.status() == MemberStatus.Active ? MemberStatus.Suspended : MemberStatus.Active;
                t = withStatus(t, s.serviceName(), m.memberId(), next);
            }
        }
        return t;
    }

    private static Topology withStatus(Topology t, String service, String memberId, MemberStatus status) {
        Cluster cluster = t.services().get(service).clusters().values().iterator().next();
        Member m = cluster.members().get(memberId);
        return withMember(t, new Member(m.memberId(), m.serviceName(), m.clusterId(), m.networkPartitionId(),
                m.partitionId(), status, m.ports(), m.privateIp(), m.publicIp(), m.lbIpType()));
    }

    private static Topology withMember(Topology t, Member m) {
        Service s = t.services().get(m.serviceName());
        Cluster c = s.clusters().get(m.clusterId());
        SortedMap<String, Member> members = new TreeMap<>(c.members());
        members.put(m.memberId(), m);
        SortedMap<String, Cluster> clusters = new TreeMap<>(s.clusters());
        clusters.put(c.clusterId(), new Cluster(c.clusterId(), c.serviceName(), c.appId(), c.lbCluster(), members));
        SortedMap<String, Service> services = new TreeMap<>(t.services());
        services.put(s.serviceName(), new Service(s.serviceName(), s.serviceType(), s.ports(), clusters));
        return new Topology(services, t.initialized());
    }
}
