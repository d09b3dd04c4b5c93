package org.stratoslvs.management.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.TabularData;

import org.junit.jupiter.api.Test;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.ControlStatus;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.ListenerStatus;
import org.stratoslvs.api.RenderStatus;
import org.stratoslvs.api.StubConfigGenerator;
import org.stratoslvs.api.StubKeepalivedControl;
import org.stratoslvs.api.StubTopologyService;
import org.stratoslvs.api.TopologyService;
import org.stratoslvs.core.topology.Topology;

/** The MBeans as a JMX client sees them (open types through a real MBeanServer), over stub services. */
class MBeansTest {

    private final MBeanServer server = MBeanServerFactory.newMBeanServer();
    private final StubSources sources = new StubSources();
    private final MBeans mbeans = new MBeans(server, sources);

    @Test
    void statusAttributesAndOperations() throws Exception {
        mbeans.registerStatus();
        ObjectName status = new ObjectName("org.stratoslvs:type=Status");
        assertEquals("tcp://broker:61616", server.getAttribute(status, "BrokerUrl"));
        assertEquals(true, server.getAttribute(status, "BrokerConnected"));
        assertEquals(3L, server.getAttribute(status, "EventsRejected"));
        TabularData byReason = (TabularData) server.getAttribute(status, "RejectsByReason");
        assertEquals(2, byReason.size());
        assertEquals("managed", server.getAttribute(status, "KeepalivedMode"));
        assertEquals(4321L, server.getAttribute(status, "KeepalivedPid"));
        assertEquals("RUNNING", server.getAttribute(status, "KeepalivedProcess"));
        assertEquals("rejected: bad", server.getAttribute(status, "LastApplyResult"));
        assertEquals(1, server.getAttribute(status, "RejectedApplies"));
        // held-back virtual servers are typed composites, not lines
        javax.management.openmbean.CompositeData[] held =
                (javax.management.openmbean.CompositeData[]) server.getAttribute(status, "HeldBack");
        assertEquals(1, held.length);
        assertEquals("192.168.56.40 80 TCP", held[0].get("virtualServer"));
        assertEquals("web", held[0].get("service"));
        assertEquals("m1 (line 33)", held[0].get("members"));
        assertEquals(true, held[0].get("previousVersionKept"));
        assertEquals(1, server.getAttribute(status, "HeldBackTotal"));
        assertTrue(((String) server.getAttribute(status, "PendingRetry")).startsWith("attempt 2 at "),
                (String) server.getAttribute(status, "PendingRetry"));
        assertEquals(List.of(), List.of((String[]) server.getAttribute(status, "Unavailable")));

        assertEquals("accepted", server.invoke(status, "validate", null, null));
        sources.stubControl.rejectWith = "(keepalived.conf: Line 3) unknown keyword 'lb_algo'";
        assertEquals("rejected: (keepalived.conf: Line 3) unknown keyword 'lb_algo'",
                server.invoke(status, "validate", null, null));
        assertEquals("complete topology requested", server.invoke(status, "resync", null, null));
        assertEquals(1, sources.stubTopology.requests());
        String applied = (String) server.invoke(status, "appliedConfig", null, null);
        assertTrue(applied.contains("auth_pass ********"), applied);
        assertFalse(applied.contains("secret"), applied);
        String diff = (String) server.invoke(status, "previewDiff", null, null);
        assertTrue(diff.contains("+  real_server 10.0.0.2 80"), diff);
        assertFalse(diff.contains("secret"), diff);
    }

    @Test
    void missingBundlesReadAsUnavailable() throws Exception {
        sources.topology = null;
        sources.control = null;
        mbeans.registerStatus();
        ObjectName status = new ObjectName("org.stratoslvs:type=Status");
        assertEquals(List.of("stratos-lvs-topology", "stratos-lvs-keepalived"),
                List.of((String[]) server.getAttribute(status, "Unavailable")));
        assertEquals(-1L, server.getAttribute(status, "KeepalivedPid"));
        assertEquals("keepalived control is not running", server.invoke(status, "reload", null, null));
    }

    @Test
    void serviceMBeansFollowTheMapping() throws Exception {
        mbeans.registerStatus();
        ObjectName web = new ObjectName("org.stratoslvs:type=Service,name=\"web\"");
        assertEquals("192.168.56.40", server.getAttribute(web, "VirtualIp"));
        assertEquals(true, server.getAttribute(web, "Present"));
        assertEquals(2, server.getAttribute(web, "ActiveMembers"));
        ObjectName dns = new ObjectName("org.stratoslvs:type=Service,name=\"dns\"");
        assertEquals(false, server.getAttribute(dns, "Present"));

        // as the config generator reports it after a render (RenderStatusListener)
        sources.mapped.remove(1);
        sources.mapped.add(new RenderStatus.MappedService("mail", "192.168.56.42", true, 1, List.of(25)));
        mbeans.syncServices(sources.generator.status());
        assertFalse(server.isRegistered(dns));
        assertTrue(server.isRegistered(web));
        ObjectName mail = new ObjectName("org.stratoslvs:type=Service,name=\"mail\"");
        assertEquals("192.168.56.42", server.getAttribute(mail, "VirtualIp"));

        // the rendering bundle away (redeploy): the MBeans stay as they are
        sources.generator = null;
        mbeans.syncServices();
        assertTrue(server.isRegistered(web) && server.isRegistered(mail));

        mbeans.unregisterAll();
        assertTrue(server.queryNames(new ObjectName("org.stratoslvs:*"), null).isEmpty());
    }

    private static final class StubSources implements Sources {
        final List<RenderStatus.MappedService> mapped = new ArrayList<>(List.of(
                new RenderStatus.MappedService("web", "192.168.56.40", true, 2, List.of(80, 443)),
                new RenderStatus.MappedService("dns", "192.168.56.41", false, 0, List.of())));

        final StubTopologyService stubTopology = new StubTopologyService(Topology.EMPTY,
                new ListenerStatus("tcp://broker:61616", true, 10, 1,
                        Map.of("MALFORMED_JSON", 2L, "UNKNOWN_MEMBER", 1L), List.of(), Instant.now(), 1, 0));
        TopologyService topology = stubTopology;

        ConfigGenerator generator = new StubConfigGenerator(
                () -> new RenderStatus(List.copyOf(mapped), List.of(), List.of(), Instant.now()),
                "auth_pass secret\n  real_server 10.0.0.1 80\n  real_server 10.0.0.2 80\n");

        final StubKeepalivedControl stubControl = new StubKeepalivedControl(
                new ControlStatus("managed", "/tmp/k.conf", "running pid 4321", ControlStatus.ProcessState.RUNNING, 4321, 7,
                        List.of(
                        new ControlStatus.ApplyRecord(Instant.now(), ControlStatus.Outcome.APPLIED, "", "x", 5, List.of()),
                        new ControlStatus.ApplyRecord(Instant.now(), ControlStatus.Outcome.REJECTED, "bad", "y", 5,
                                List.of())),
                        List.of(new ControlStatus.HeldBack("192.168.56.40 80 TCP", "web", "m1 (line 33)",
                                "(config: Line 33) Checker link local address fe80::1 requires a bind_if",
                                Instant.EPOCH, true)), 1,
                        new ControlStatus.Retry(2, Instant.EPOCH, "write failed: No space left on device")),
                "auth_pass secret\n  real_server 10.0.0.1 80\n");
        KeepalivedControl control = stubControl;

        @Override
        public TopologyService topology() {
            return topology;
        }

        @Override
        public ConfigGenerator generator() {
            return generator;
        }

        @Override
        public KeepalivedControl control() {
            return control;
        }
    }
}
