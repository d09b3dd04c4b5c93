package org.stratoslvs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.util.Dictionary;
import java.util.List;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.TopologyService;

/**
 * Our own Karaf assembly, as built: it must boot with the embedded broker and the extension (boot features),
 * take a complete topology published by a "Cloud Controller" over OpenWire and write a keepalived.conf that
 * the real {@code keepalived -t} accepts, and report it in {@code lvs:status}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AssemblyIT extends LvsKarafTestSupport {

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Override
    protected MavenArtifactUrlReference distribution() {
        return maven().groupId("org.stratoslvs").artifactId("stratos-lvs-karaf").type("tar.gz")
                .version(System.getProperty("project.version"));
    }

    @Override
    protected List<Option> extraOptions() {
        return List.of(
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "lvs.service.virtualip.set", VIP_MAPPING),
                // Never let a test keepalived put addresses on this machine's interfaces.
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.mode", "render-only"));
    }

    @Test
    public void completeTopologyFromTheBrokerBecomesAValidKeepalivedConf() throws Exception {
        TopologyService topology = awaitService(TopologyService.class);
        assertTrue("route never connected to the embedded broker",
                await(() -> topology.status().connected(), 30_000));

        long start = System.nanoTime();
        publishFixture("0001-topology.CompleteTopologyEvent.json", "topology.CompleteTopologyEvent");
        assertTrue("no keepalived.conf with the web virtual server at " + keepalivedConf(),
                await(() -> read(keepalivedConf()).contains("virtual_server 192.168.56.40 80"), 10_000));
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.err.println("complete topology -> keepalived.conf in " + millis + " ms");

        String conf = read(keepalivedConf());
        assertTrue(conf, conf.contains("virtual_server 192.168.56.40 443"));
        assertTrue(conf, conf.contains("virtual_server 192.168.56.41 53"));
        assertTrue(conf, conf.contains("real_server 10.10.0.11 "));
        assertTrue(conf, conf.contains("real_server 10.10.0.12 "));
        // web-3 is Starting, web-4 Suspended: no traffic for them.
        assertTrue(conf, !conf.contains("10.10.0.13") && !conf.contains("10.10.0.14"));
        assertTrue(conf, !conf.contains("virtual_server 192.168.56.42"));

        if (keepalivedAvailable()) {
            String check = keepalivedCheck(keepalivedConf());
            assertTrue("keepalived -t rejected the file:\n" + check + "\n" + conf, check.startsWith("0\n"));
        } else {
            failIfCi("keepalived -t cannot run (root, keepalived and a namespace are needed)");
        }

        String status = executeCommand("lvs:status");
        System.err.println(status);
        assertTrue(status, status.contains("connected"));
        assertTrue(status, status.contains("web"));
        assertTrue(status, status.contains("ABSENT"));
        assertTrue(status, status.contains("missing"));
        assertTrue(status, status.contains(keepalivedConf().toString()));

        // A member that goes through its life later reaches the file as well (only once Active).
        publishFixture("0005-topology.MemberCreatedEvent.json", "topology.MemberCreatedEvent");
        publishFixture("0006-topology.MemberInitializedEvent.json", "topology.MemberInitializedEvent");
        publishFixture("0007-topology.MemberStartedEvent.json", "topology.MemberStartedEvent");
        assertTrue(await(() -> topology.current().memberCount() == 6, 10_000));
        // the file has caught up with a topology in which web-5 is Starting (rendering is asynchronous)
        ConfigGenerator generator = awaitService(ConfigGenerator.class);
        assertTrue(await(() -> generator.preview().equals(read(keepalivedConf())), 10_000));
        assertTrue(!read(keepalivedConf()).contains("10.10.0.15"));
        publishFixture("0008-topology.MemberActivatedEvent.json", "topology.MemberActivatedEvent");
        assertTrue(await(() -> read(keepalivedConf()).contains("real_server 10.10.0.15 "), 10_000));
        // web-1, web-2, web-5 and dns-1.
        assertEquals(4, topology.current().activeMemberCount());

        // Live reconfiguration with a malformed mapping: every problem is named in lvs:status, the good entries
        // still apply, and the extension keeps running.
        org.osgi.service.cm.Configuration config = configurationAdmin.getConfiguration("org.stratoslvs", null);
        Dictionary<String, Object> properties = config.getProperties();
        properties.put("lvs.service.virtualip.set", "web|192.168.56.40,dns|10.0.0.x,web|192.168.56.50,nopipe");
        config.update(properties);
        assertTrue(await(() -> !read(keepalivedConf()).contains("virtual_server 192.168.56.41 53"), 10_000));
        String afterEdit = executeCommand("lvs:status");
        System.err.println(afterEdit);
        assertTrue(afterEdit, afterEdit.contains("10.0.0.x"));
        assertTrue(afterEdit, afterEdit.contains("192.168.56.50"));
        assertTrue(afterEdit, afterEdit.contains("nopipe"));
        assertTrue(read(keepalivedConf()).contains("real_server 10.10.0.15 "));
    }
}
