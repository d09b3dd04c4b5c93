package org.stratoslvs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.karaf.shell.api.console.Command;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/**
 * The operator's view of a running assembly: every lvs:* command, the MBeans through Karaf's real JMX connector
 * (RMI, JAAS login, ACLs), the web console page over real HTTP, and live reconfiguration by editing etc/*.cfg.
 * One container for all (a boot costs 20-30 s); the test methods run in name order and share the topology.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class ManagementIT extends LvsKarafTestSupport {

    private static final String SECRET = "s3cr3tpw";

    @Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Override
    protected MavenArtifactUrlReference distribution() {
        return ourAssembly();
    }

    @Override
    protected List<Option> extraOptions() {
        return List.of(
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "lvs.service.virtualip.set", VIP_MAPPING),
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "vrrp.auth.type", "PASS"),
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "vrrp.auth.pass", SECRET),
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.mode", "render-only"));
    }

    /** Publishes the complete topology once and waits until it is applied. */
    private TopologyService topologyApplied() throws Exception {
        TopologyService topology = awaitService(TopologyService.class);
        KeepalivedControl control = awaitService(KeepalivedControl.class);
        assertTrue("route never connected", await(() -> topology.status().connected(), 30_000));
        if (!topology.current().initialized()) {
            publishFixture("0001-topology.CompleteTopologyEvent.json", "topology.CompleteTopologyEvent");
        }
        assertTrue("complete topology never applied: " + control.status(), await(() -> control.appliedConfig() != null
                && control.appliedConfig().contains("real_server 10.10.0.12 "), 20_000));
        return topology;
    }

    @Test
    public void a_shellCommandsShowAndSteerEverything() throws Exception {
        topologyApplied();
        KeepalivedControl control = awaitService(KeepalivedControl.class);

        String status = executeCommand("lvs:status");
        System.err.println(status);
        for (String expected : new String[] {"connected", "initialized, 3 services", "render-only", "pid",
                "reloads", "rejected applies", "last apply", "duration", "cause"}) {
            assertTrue(expected + " in\n" + status, status.contains(expected));
        }
        // "unchanged" when a late re-render (a Config Admin update, say) gave the same text again
        assertTrue(status, Pattern.compile("result\\s+(applied|unchanged)\\b").matcher(status).find());

        String services = executeCommand("lvs:services");
        System.err.println(services);
        assertTrue(services, Pattern.compile("web\\s+\\S\\s+192\\.168\\.56\\.40\\s+\\S\\s+present\\s+\\S\\s+80,443\\s+\\S\\s+2")
                .matcher(services).find());
        assertTrue(services, Pattern.compile("missing\\s+\\S\\s+192\\.168\\.56\\.42\\s+\\S\\s+ABSENT").matcher(services).find());

        String members = executeCommand("lvs:members web");
        System.err.println(members);
        assertTrue(members, members.contains("web-1") && members.contains("10.10.0.11") && members.contains("Active"));
        assertFalse(members, members.contains("dns-1"));
        String dnsCluster = executeCommand("lvs:members --cluster " + clusterOf("dns"));
        assertTrue(dnsCluster, dnsCluster.contains("dns-1") && !dnsCluster.contains("web-1"));

        String config = executeCommand("lvs:config");
        assertTrue(config, config.contains("virtual_server 192.168.56.40 80"));
        assertTrue(config, config.contains("auth_pass ********"));
        assertFalse("the VRRP password leaked:\n" + config, config.contains(SECRET));
        assertTrue("the file itself has the password", read(keepalivedConf()).contains("auth_pass " + SECRET));

        String preview = executeCommand("lvs:config --preview --diff");
        assertTrue(preview, preview.contains("The preview equals the applied config"));

        String validate = executeCommand("lvs:validate");
        assertTrue(validate, validate.contains("keepalived -t accepts"));

        String reload = executeCommand("lvs:reload");
        System.err.println(reload);
        assertTrue(reload, reload.startsWith("applied"));
        assertTrue(control.status().lastApply().cause().contains("operator: lvs:reload"));

        try (RequestListener requests = new RequestListener()) {
            String resync = executeCommand("lvs:resync");
            assertTrue(resync, resync.contains("Complete topology requested"));
            assertTrue("no CompleteTopologyRequestEvent on the broker", requests.await(10_000));
        }

        publishText("{\"not json", "topology.MemberActivatedEvent");
        TopologyService topology = awaitService(TopologyService.class);
        assertTrue(await(() -> topology.status().rejectsTotal() > 0, 10_000));
        String rejected = executeCommand("lvs:rejected");
        System.err.println(rejected);
        assertTrue(rejected, rejected.contains("MALFORMED_JSON"));
        assertTrue(rejected, rejected.contains("topology.MemberActivatedEvent"));
    }

    @Test
    public void b_completersOfferServiceAndClusterNames() throws Exception {
        topologyApplied();
        List<String> services = complete("lvs:members ", "lvs", "members");
        assertTrue(services.toString(), services.stream().anyMatch(s -> s.trim().equals("web")));
        assertTrue(services.toString(), services.stream().anyMatch(s -> s.trim().equals("missing")));
        List<String> clusters = complete("lvs:members --cluster ", "lvs", "members");
        assertTrue(clusters.toString(), clusters.stream().anyMatch(s -> s.contains("web")));
        assertFalse(clusters.toString(), clusters.stream().anyMatch(s -> s.trim().equals("missing")));
    }

    /**
     * What an operator's script does: {@code ssh -p 8101 karaf@127.0.0.1 lvs:services} with stdin not a terminal
     * (Karaf 4.4's own bin/client closes at once then, see README). Also: the SSH console listens on loopback only.
     */
    @Test
    public void b_shellOverSshFromAScript() throws Exception {
        topologyApplied();
        int port = Integer.parseInt(System.getProperty("itest.ssh.port"));
        assertTrue("SSH console not bound to 127.0.0.1 only", listensOnLoopbackOnly(port));
        if (!Files.isExecutable(Path.of("/usr/bin/ssh"))) {
            failIfCi("the OpenSSH client is not installed");
            org.junit.Assume.assumeTrue("the OpenSSH client is not installed", false);
        }
        Path askpass = Files.createTempFile(Path.of(System.getProperty("karaf.data")), "askpass", ".sh",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(askpass, "#!/bin/sh\necho karaf\n");
        ProcessBuilder ssh = new ProcessBuilder("/usr/bin/ssh", "-p", Integer.toString(port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=10",
                "karaf@127.0.0.1", "lvs:services")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true);
        ssh.environment().put("SSH_ASKPASS", askpass.toString());
        ssh.environment().put("SSH_ASKPASS_REQUIRE", "force");
        ssh.environment().put("DISPLAY", ":0");
        Process p = ssh.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("ssh did not end", p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(out, 0, p.exitValue());
        assertTrue(out, Pattern.compile("web\\s+\\S\\s+192\\.168\\.56\\.40\\s+\\S\\s+present").matcher(out).find());
    }

    @Test
    public void c_jmxThroughKarafsConnector() throws Exception {
        topologyApplied();
        // Pax Exam chooses the RMI ports itself: ask Karaf's own management configuration
        org.osgi.service.cm.ConfigurationAdmin configAdmin = awaitService(org.osgi.service.cm.ConfigurationAdmin.class);
        Object registryPort = configAdmin.getConfiguration("org.apache.karaf.management", null).getProperties()
                .get("rmiRegistryPort");
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + registryPort
                + "/karaf-root");
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {"karaf", "wrong"});
        try (JMXConnector ignored = JMXConnectorFactory.connect(url, env)) {
            fail("Karaf's JMX connector accepted a wrong password");
        } catch (SecurityException expected) {
            // Karaf's JAAS login refused it
        }
        env.put(JMXConnector.CREDENTIALS, new String[] {"karaf", "karaf"});
        try (JMXConnector connector = JMXConnectorFactory.connect(url, env)) {
            MBeanServerConnection jmx = connector.getMBeanServerConnection();
            ObjectName status = new ObjectName("org.stratoslvs:type=Status");
            assertEquals(true, jmx.getAttribute(status, "BrokerConnected"));
            assertEquals(true, jmx.getAttribute(status, "TopologyInitialized"));
            assertEquals(3, jmx.getAttribute(status, "Services"));
            assertEquals("render-only", jmx.getAttribute(status, "KeepalivedMode"));
            assertEquals("applied", jmx.getAttribute(status, "LastApplyResult"));
            assertTrue((Long) jmx.getAttribute(status, "EventsApplied") >= 1);
            assertEquals(0, ((String[]) jmx.getAttribute(status, "Unavailable")).length);

            ObjectName web = new ObjectName("org.stratoslvs:type=Service,name=\"web\"");
            ObjectName missing = new ObjectName("org.stratoslvs:type=Service,name=\"missing\"");
            assertTrue(await(() -> isRegistered(jmx, web) && isRegistered(jmx, missing), 10_000));
            assertEquals("192.168.56.40", jmx.getAttribute(web, "VirtualIp"));
            assertEquals(true, jmx.getAttribute(web, "Present"));
            assertEquals(2, jmx.getAttribute(web, "ActiveMembers"));
            assertEquals(false, jmx.getAttribute(missing, "Present"));

            assertEquals("accepted", jmx.invoke(status, "validate", null, null));
            String applied = (String) jmx.invoke(status, "appliedConfig", null, null);
            assertTrue(applied.contains("auth_pass ********") && !applied.contains(SECRET));
            assertEquals("", jmx.invoke(status, "previewDiff", null, null));
            String reload = (String) jmx.invoke(status, "reload", null, null);
            assertTrue(reload, reload.startsWith("applied"));
            try (RequestListener requests = new RequestListener()) {
                assertEquals("complete topology requested", jmx.invoke(status, "resync", null, null));
                assertTrue(requests.await(10_000));
            }
        }
    }

    @Test
    public void d_webConsolePage() throws Exception {
        topologyApplied();
        String base = "http://127.0.0.1:" + System.getProperty("itest.http.port") + "/system/console/lvs";
        assertTrue("the web console never came up",
                await(() -> httpStatus(base, null, "GET", null) == 401, 60_000));

        assertTrue("web console not bound to 127.0.0.1 only",
                listensOnLoopbackOnly(Integer.parseInt(System.getProperty("itest.http.port"))));

        HttpURLConnection get = open(base, "karaf:karaf", "GET");
        assertEquals(200, get.getResponseCode());
        String page = body(get);
        Files.writeString(Path.of(System.getProperty("karaf.data"), "lvs-page.html"), page);
        assertTrue(page, page.contains("id='stratos-lvs'"));
        assertTrue("LVS is not in the console's navigation", page.contains(">LVS<"));
        assertTrue(page, page.contains("<td>web</td><td>192.168.56.40</td><td>present</td><td>80, 443</td><td>2</td>"));
        assertTrue(page, page.contains("<td>missing</td><td>192.168.56.42</td><td>ABSENT</td>"));
        assertTrue(page, page.contains("<td>web-1</td><td>Active</td><td>10.10.0.11</td>"));
        // web-3 is Starting: known, but not a real server
        assertTrue(page, Pattern.compile("<td>web-3</td><td>Starting</td>.*<td>no</td>").matcher(page).find());
        assertTrue(page, page.contains("render-only"));
        assertTrue(page, page.contains("class='lvs-apply'"));
        assertTrue(page, page.contains("MALFORMED_JSON"));
        assertFalse(page, page.contains(SECRET));

        // Actions need the page's token: a foreign form cannot trigger them.
        assertEquals(403, httpStatus(base, "karaf:karaf", "POST", "action=resync"));
        Matcher token = Pattern.compile("name='token' value='([0-9a-f]+)'").matcher(page);
        assertTrue(token.find());
        try (RequestListener requests = new RequestListener()) {
            assertEquals(302, httpStatus(base, "karaf:karaf", "POST", "action=resync&token=" + token.group(1)));
            assertTrue(requests.await(10_000));
        }
    }

    /**
     * The console's Configuration page knows PID org.stratoslvs through our metatype ("Stratos LVS", every key
     * described), and a change posted there, as its form does, reaches the running extension.
     */
    @Test
    public void d_settingsAreEditableOnTheConfigurationPage() throws Exception {
        topologyApplied();
        String console = "http://127.0.0.1:" + System.getProperty("itest.http.port") + "/system/console/configMgr";
        assertTrue("the web console never came up",
                await(() -> httpStatus(console, null, "GET", null) == 401, 60_000));
        HttpURLConnection list = open(console, "karaf:karaf", "GET");
        assertEquals(200, list.getResponseCode());
        String page = body(list);
        assertTrue("Stratos LVS is not on the Configuration page", page.contains("Stratos LVS"));

        HttpURLConnection form = open(console + "/org.stratoslvs", "karaf:karaf", "POST");
        form.setDoOutput(true);
        form.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
        form.getOutputStream().write("action=ajaxConfigManager&metatypeLocale=en".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, form.getResponseCode());
        String described = body(form);
        assertTrue(described, described.contains("lvs.service.virtualip.set") && described.contains("vrrp.auth.pass"));
        assertFalse("the console form shows the VRRP password", described.contains(SECRET));

        // What the form posts on "Save": every field, pre-filled with the current values, one of them changed.
        assertEquals(302, httpStatus(console + "/org.stratoslvs", "karaf:karaf", "POST", saveForm("7")));
        try {
            assertTrue("the setting edited in the console never reached keepalived.conf",
                    await(() -> read(keepalivedConf()).contains("delay_loop 7"), 10_000));
            assertTrue("the console's edit lost other settings", read(keepalivedConf()).contains("192.168.56.40")
                    && read(keepalivedConf()).contains("auth_pass " + SECRET));
        } finally {
            httpStatus(console + "/org.stratoslvs", "karaf:karaf", "POST", saveForm("6"));
            assertTrue(await(() -> read(keepalivedConf()).contains("delay_loop 6"), 10_000));
        }
    }

    /** The Configuration page's save request for org.stratoslvs: the current properties, lvs.delay.loop changed. */
    private String saveForm(String delayLoop) throws Exception {
        org.osgi.service.cm.ConfigurationAdmin configAdmin = awaitService(org.osgi.service.cm.ConfigurationAdmin.class);
        java.util.Dictionary<String, Object> current = configAdmin.getConfiguration("org.stratoslvs", null)
                .getProperties();
        StringBuilder form = new StringBuilder("apply=true&action=ajaxConfigManager");
        StringBuilder names = new StringBuilder();
        for (String key : java.util.Collections.list(current.keys())) {
            if (key.startsWith("service.") || key.startsWith("felix.") || key.startsWith("component.")) {
                continue;
            }
            String value = key.equals("lvs.delay.loop") ? delayLoop : String.valueOf(current.get(key));
            names.append(names.length() == 0 ? "" : ",").append(key);
            form.append('&').append(encode(key)).append('=').append(encode(value));
        }
        if (current.get("lvs.delay.loop") == null) {
            names.append(",lvs.delay.loop");
            form.append("&lvs.delay.loop=").append(delayLoop);
        }
        return form.append("&propertylist=").append(encode(names.toString())).toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * A real browser (Debian's chromium, headless) logs in and renders the page with the console's own scripts and
     * styles: the rendered DOM must hold our tables and the screenshot must not be blank. The screenshot stays in
     * the container's data/ for a human to look at.
     */
    @Test
    public void d_webConsolePageInABrowser() throws Exception {
        topologyApplied();
        Path chromium = Path.of("/usr/bin/chromium");
        if (!Files.isExecutable(chromium)) {
            failIfCi("chromium is not installed");
            org.junit.Assume.assumeTrue("chromium is not installed", false);
        }
        String url = "http://karaf:karaf@127.0.0.1:" + System.getProperty("itest.http.port") + "/system/console/lvs";
        Path data = Path.of(System.getProperty("karaf.data"));
        Path profile = Files.createTempDirectory(data, "chromium");
        Path png = data.resolve("lvs-page.png");
        List<String> browser = List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--no-first-run", "--user-data-dir=" + profile, "--window-size=1280,1000");

        List<String> dumpDom = new ArrayList<>(browser);
        dumpDom.addAll(List.of("--virtual-time-budget=5000", "--dump-dom", url));
        String dom = run(dumpDom);
        assertTrue(dom, dom.contains("id=\"stratos-lvs\""));
        assertTrue(dom, dom.contains("<td>192.168.56.40</td>"));
        assertTrue(dom, dom.contains("<td>web-1</td>"));
        assertFalse(dom, dom.contains(SECRET));

        List<String> screenshot = new ArrayList<>(browser);
        screenshot.addAll(List.of("--virtual-time-budget=5000", "--screenshot=" + png, url));
        run(screenshot);
        assertTrue("no screenshot at " + png, Files.isRegularFile(png));
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertNotNull("not an image: " + png, image);
        assertEquals(1280, image.getWidth());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue("screenshot looks blank (" + colours.size() + " colours): " + png, colours.size() > 20);
        System.err.println("screenshot of the LVS page: " + png);
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish: " + command);
        }
        return out;
    }

    @Test
    public void e_editingCfgFilesReappliesWithoutARestart() throws Exception {
        TopologyService topology = topologyApplied();
        ConfigGenerator generator = awaitService(ConfigGenerator.class);
        KeepalivedControl control = awaitService(KeepalivedControl.class);
        long completeBefore = topology.status().completeTopologies();
        assertTrue(control.appliedConfig().contains("lvs_sched rr"));

        editCfg("org.stratoslvs.cfg", "lvs.lb.algo", "wlc");
        assertTrue("lvs_sched wlc never applied", await(() -> control.appliedConfig().contains("lvs_sched wlc"), 20_000));
        assertTrue(control.status().lastApply().cause(), control.status().lastApply().cause().contains("configuration changed"));

        // a per-service file: only web changes its scheduler
        Path perService = Path.of(System.getProperty("karaf.etc"), "org.stratoslvs.service-web.cfg");
        Files.writeString(perService, "service = web\nlvs.lb.algo = sh\n");
        assertTrue("per-service override never applied",
                await(() -> countOf(control.appliedConfig(), "lvs_sched sh") == 2, 20_000));
        assertTrue(control.appliedConfig().contains("lvs_sched wlc"));

        // the mapping itself: a VIP moves
        editCfg("org.stratoslvs.cfg", "lvs.service.virtualip.set", "web|192.168.56.50,dns|192.168.56.41");
        assertTrue(await(() -> control.appliedConfig().contains("virtual_server 192.168.56.50 80"), 20_000));
        assertFalse(control.appliedConfig().contains("192.168.56.40"));
        assertEquals(read(keepalivedConf()), control.appliedConfig());
        // the per-service MBeans follow the mapping: "missing" is no longer mapped
        MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
        ObjectName missingService = new ObjectName("org.stratoslvs:type=Service,name=\"missing\"");
        ObjectName webService = new ObjectName("org.stratoslvs:type=Service,name=\"web\"");
        assertTrue("the MBean of an unmapped service stayed",
                await(() -> !platform.isRegistered(missingService), 10_000));
        assertEquals("192.168.56.50", platform.getAttribute(webService, "VirtualIp"));

        // No restart: same service objects, no reconnect, no new complete topology needed, topology kept.
        assertSame(topology, awaitService(TopologyService.class));
        assertSame(generator, awaitService(ConfigGenerator.class));
        assertSame(control, awaitService(KeepalivedControl.class));
        assertEquals(completeBefore, topology.status().completeTopologies());
        assertTrue(control.appliedConfig().contains("real_server 10.10.0.11 "));
        assertEquals(generator.preview(), control.appliedConfig());
        Files.delete(perService);
        assertTrue(await(() -> countOf(control.appliedConfig(), "lvs_sched sh") == 0, 20_000));
    }

    // ------------------------------------------------------------------------------------------------------

    private static int countOf(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private String clusterOf(String service) throws Exception {
        TopologyService topology = awaitService(TopologyService.class);
        return topology.current().service(service).clusters().firstKey();
    }

    /** Runs the real completer of a command, as the console does on TAB. */
    private List<String> complete(String buffer, String scope, String name) throws Exception {
        org.apache.karaf.shell.api.console.Session session = sessionFactory.create(System.in, System.out, System.err);
        try {
            Command command = null;
            for (Command c : session.getRegistry().getCommands()) {
                if (scope.equals(c.getScope()) && name.equals(c.getName())) {
                    command = c;
                }
            }
            assertNotNull("no command " + scope + ":" + name, command);
            Completer completer = command.getCompleter(true);
            String[] args = buffer.trim().split("\\s+");
            List<String> arguments = new ArrayList<>(List.of(args));
            arguments.add("");
            List<String> candidates = new ArrayList<>();
            completer.complete(session, new SimpleCommandLine(buffer, arguments), candidates);
            return candidates;
        } finally {
            session.close();
        }
    }

    /** The command line at the end of {@code buffer}, the cursor on a new, empty argument. */
    private record SimpleCommandLine(String buffer, List<String> args) implements CommandLine {
        @Override
        public int getCursorArgumentIndex() {
            return args.size() - 1;
        }

        @Override
        public String getCursorArgument() {
            return "";
        }

        @Override
        public int getArgumentPosition() {
            return 0;
        }

        @Override
        public String[] getArguments() {
            return args.toArray(new String[0]);
        }

        @Override
        public int getBufferPosition() {
            return buffer.length();
        }

        @Override
        public String getBuffer() {
            return buffer;
        }
    }

    private static boolean isRegistered(MBeanServerConnection jmx, ObjectName name) {
        try {
            return jmx.isRegistered(name);
        } catch (IOException e) {
            return false;
        }
    }

    private void publishText(String body, String topic) throws Exception {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(
                "tcp://127.0.0.1:" + System.getProperty("itest.openwire.port"));
        Connection connection = factory.createConnection();
        try {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            session.createProducer(session.createTopic(topic)).send(session.createTextMessage(body));
        } finally {
            connection.close();
        }
    }

    /** Subscribes to initializer.CompleteTopologyRequestEvent, as the Cloud Controller does. */
    private static final class RequestListener implements AutoCloseable {
        private final Connection connection;
        private final MessageConsumer consumer;

        RequestListener() throws Exception {
            connection = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + System.getProperty("itest.openwire.port"))
                    .createConnection();
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            consumer = session.createConsumer(session.createTopic("initializer.CompleteTopologyRequestEvent"));
        }

        boolean await(long millis) throws Exception {
            return consumer.receive(millis) != null;
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }

    private static HttpURLConnection open(String url, String userColonPassword, String method) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setRequestMethod(method);
        if (!method.equals("GET")) {
            // what a browser sends from the console's own page: the console refuses a POST without a same-origin
            // Origin or Referer (SameOriginGuard; HttpURLConnection does not let a caller set Origin)
            c.setRequestProperty("Referer", url);
        }
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(5_000);
        c.setReadTimeout(30_000);
        if (userColonPassword != null) {
            c.setRequestProperty("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8)));
        }
        return c;
    }

    private static int httpStatus(String url, String userColonPassword, String method, String form) {
        try {
            HttpURLConnection c = open(url, userColonPassword, method);
            if (form != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
                c.getOutputStream().write(form.getBytes(StandardCharsets.UTF_8));
            }
            int code = c.getResponseCode();
            c.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String body(HttpURLConnection c) throws IOException {
        try (InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Whether every listening TCP socket on the port is bound to 127.0.0.1 (from /proc/net/tcp and tcp6). */
    private static boolean listensOnLoopbackOnly(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        int listening = 0;
        for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].endsWith(hexPort) && "0A".equals(f[3])) {
                    listening++;
                    String address = f[1].substring(0, f[1].indexOf(':'));
                    if (!address.equals("0100007F") && !address.equals("0000000000000000FFFF00000100007F")) {
                        System.err.println("listening on " + f[1] + " in " + table);
                        return false;
                    }
                }
            }
        }
        return listening > 0;
    }
}
