package org.stratoslvs.webconsole.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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

class LvsPageTest {

    private static final String EVIL = "<script>alert('x')</script>";

    @Test
    void everyUntrustedValueIsEscaped() {
        TopologyService topology = new StubTopologyService(Topology.EMPTY,
                new ListenerStatus("tcp://" + EVIL, true, 1, 0, Map.of("MALFORMED_JSON", 1L),
                        List.of(new ListenerStatus.Reject(Instant.EPOCH, "topology." + EVIL, "MALFORMED_JSON",
                                "near " + EVIL)), null, 0, 0));
        ConfigGenerator generator = new StubConfigGenerator(
                () -> new RenderStatus(List.of(new RenderStatus.MappedService("web", "192.168.56.40", true, 2,
                        List.of(80))), List.of("bad value " + EVIL), List.of(), null), "");
        KeepalivedControl control = new StubKeepalivedControl(new ControlStatus("managed", "/x", "running pid 7", ControlStatus.ProcessState.RUNNING, 7, 1,
                List.of(new ControlStatus.ApplyRecord(Instant.EPOCH, ControlStatus.Outcome.REJECTED, EVIL, "cause " + EVIL, 3, List.of())),
                List.of(new ControlStatus.HeldBack("192.168.56.40 80 TCP", "web", "m1 (line 33)", "says " + EVIL,
                        Instant.EPOCH, false)), 1, new ControlStatus.Retry(1, Instant.EPOCH, "write failed: " + EVIL)),
                null);
        StringWriter html = new StringWriter();
        new LvsPage(topology, generator, control).render(new PrintWriter(html), "tok", "done " + EVIL);
        String page = html.toString();
        assertFalse(page.contains("<script"), page);
        assertTrue(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), page);
        assertTrue(page.contains("<td>192.168.56.40</td>"), page);
        assertTrue(page.contains("<tr class='lvs-held-back'><td>192.168.56.40 80 TCP</td><td>web</td>"
                + "<td>m1 (line 33)</td>"), page);
        assertTrue(page.contains("nothing (left out)"), page);
        assertTrue(page.contains("attempt 1 at 1970-01-01T00:00:00Z after: write failed: &lt;script"), page);
        assertTrue(page.contains("value='tok'"), page);
    }

    @Test
    void missingBundlesAreNamedNotFatal() {
        StringWriter html = new StringWriter();
        new LvsPage(null, null, null).render(new PrintWriter(html), "tok", null);
        String page = html.toString();
        assertTrue(page.contains("not running (bundle stratos-lvs-topology)"), page);
        assertTrue(page.contains("not running (bundle stratos-lvs-render)"), page);
        assertTrue(page.contains("bundle stratos-lvs-keepalived"), page);
    }
}
