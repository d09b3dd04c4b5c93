package org.stratoslvs.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;


import org.apache.karaf.features.BootFinished;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.ProbeBuilder;
import org.ops4j.pax.exam.TestProbeBuilder;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.options.extra.VMOption;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;

/**
 * What every container test shares: a Karaf distribution unpacked under target/exam, Maven resolution limited
 * to Central and the build's local repository (nothing else is reachable), free ports for everything that
 * listens, and helpers to publish real JMS messages and run real shell commands.
 *
 * <p>The ports are chosen in the test JVM when the configuration is built and handed to the container as
 * system properties, so the probe (which runs inside Karaf) knows them too.
 *
 * <p>Why not Karaf's own {@code org.apache.karaf.itests.KarafTestSupport}, which has command execution and free
 * ports too: its {@code Retry} rule runs a failing test a second time and passes it if that run passes, which would
 * hide exactly the flaky redeploy and reload races these tests exist to catch; it installs its own bundles
 * (awaitility, hamcrest, itests-common) into the container, so the wiring under test would not be the one a
 * {@code feature:install} gives; and its ports cover Karaf's own listeners only, not the embedded broker's OpenWire
 * and MQTT ports, which every test here needs free as well. The few helpers it would give are below.
 */
public abstract class LvsKarafTestSupport {

    protected static final String VIP_MAPPING = "web|192.168.56.40,dns|192.168.56.41,missing|192.168.56.42";
    private static final Pattern REAL_SERVER_80 = Pattern.compile("real_server (\\S+) 80 ");

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    /** Injected once the boot features are installed, so no test starts on a half-booted container. */
    @Inject
    protected BootFinished bootFinished;

    @ProbeBuilder
    public TestProbeBuilder probeConfiguration(TestProbeBuilder probe) {
        probe.setHeader(Constants.DYNAMICIMPORT_PACKAGE, "*");
        return probe;
    }

    /** The distribution under test. */
    protected abstract MavenArtifactUrlReference distribution();

    /**
     * Options specific to a test class (mapping, keepalived mode, ...). The base already points the embedded
     * broker and the listener at free ports and sets {@code vrrp.interface = eth0}, the interface of the test's
     * namespace.
     */
    protected abstract List<Option> extraOptions();

    protected Option[] baseOptions() {
        int[] ports = freePorts(6);
        int openwire = ports[0];
        int mqtt = ports[1];
        int ssh = ports[2];
        int rmiRegistry = ports[3];
        int rmiServer = ports[4];
        int http = ports[5];
        String localRepository = System.getProperty("org.ops4j.pax.url.mvn.localRepository", "");
        String repositories = System.getProperty("org.ops4j.pax.url.mvn.repositories",
                "https://repo1.maven.org/maven2@id=central");
        List<Option> options = new ArrayList<>(List.of(
                karafDistributionConfiguration().frameworkUrl(distribution())
                        .karafVersion(System.getProperty("karaf.version")).name("Apache Karaf")
                        .unpackDirectory(new File("target/exam")).useDeployFolder(false),
                keepRuntimeFolder(),
                configureConsole().ignoreLocalConsole(),
                logLevel(LogLevel.INFO),
                systemTimeout(TimeUnit.MINUTES.toMillis(5)),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories",
                        repositories),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                        localRepository),
                editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                        ""),
                editConfigurationFilePut("etc/org.apache.karaf.features.cfg", "updateSnapshots", "none"),
                editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(ssh)),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort",
                        Integer.toString(rmiRegistry)),
                editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort",
                        Integer.toString(rmiServer)),
                editConfigurationFilePut("etc/org.ops4j.pax.web.cfg", "org.osgi.service.http.port",
                        Integer.toString(http)),
                // the probe runs inside Karaf: where the web console listens (Pax Exam sets the RMI ports anew,
                // so tests read those from Config Admin)
                editConfigurationFilePut("etc/system.properties", "itest.http.port", Integer.toString(http)),
                editConfigurationFilePut("etc/system.properties", "itest.ssh.port", Integer.toString(ssh)),
                editConfigurationFilePut("etc/system.properties", "itest.openwire.port", Integer.toString(openwire)),
                editConfigurationFilePut("etc/system.properties", "itest.mqtt.port", Integer.toString(mqtt)),
                editConfigurationFilePut("etc/system.properties", "itest.project.version",
                        System.getProperty("project.version")),
                editConfigurationFilePut("etc/system.properties", "itest.netns", TestNamespace.NAME),
                // whether this is CI, for the probe: not left to the environment the container happens to inherit
                editConfigurationFilePut("etc/system.properties", "itest.ci",
                        Boolean.toString("true".equalsIgnoreCase(System.getenv("CI"))))));
        if (TestNamespace.NAME.isEmpty()) {
            // No namespace (not root, on a laptop): let render-only skip validation instead of rejecting.
            options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.binary", "/nonexistent/keepalived"));
        } else {
            options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.args", "-s " + TestNamespace.NAME));
        }
        options.addAll(java9PlusOptions());
        // Written before boot: the features' configfiles never overwrite an existing file.
        options.add(editConfigurationFilePut("etc/org.stratoslvs.broker.cfg", "openwire.port", Integer.toString(openwire)));
        options.add(editConfigurationFilePut("etc/org.stratoslvs.broker.cfg", "mqtt.port", Integer.toString(mqtt)));
        options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "broker.url", "tcp://127.0.0.1:" + openwire));
        options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "vrrp.interface", "eth0"));
        options.addAll(extraOptions());
        return options.toArray(new Option[0]);
    }

    /** The module flags Karaf's own bin/karaf passes on Java 9+; Pax Exam starts java itself, so we pass them. */
    private static List<Option> java9PlusOptions() {
        String karaf = System.getProperty("karaf.version");
        List<Option> vm = new ArrayList<>();
        for (String flag : new String[] {
                "--add-reads=java.xml=java.logging",
                "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                "--patch-module", "java.base=lib/endorsed/org.apache.karaf.specs.locator-" + karaf + ".jar",
                "--patch-module", "java.xml=lib/endorsed/org.apache.karaf.specs.java.xml-" + karaf + ".jar",
                "--add-opens", "java.base/java.security=ALL-UNNAMED",
                "--add-opens", "java.base/java.net=ALL-UNNAMED",
                "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/java.util=ALL-UNNAMED",
                "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.https=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                "--add-exports=java.base/sun.net.www.content.text=ALL-UNNAMED",
                "--add-exports=jdk.naming.rmi/com.sun.jndi.url.rmi=ALL-UNNAMED",
                "-classpath", "lib/jdk9plus/*" + File.pathSeparator + "lib/boot/*"}) {
            vm.add(new VMOption(flag));
        }
        return vm;
    }

    /** Ports free now, all different: each socket stays bound until all are chosen. */
    protected static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0);
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }

    protected static MavenArtifactUrlReference ourFeatures() {
        return maven().groupId("org.stratoslvs").artifactId("stratos-lvs-features").classifier("features").type("xml")
                .version(System.getProperty("project.version"));
    }

    /**
     * Runs a Karaf shell command in a fresh session and returns what it printed. Commands come and go while
     * features install and bundles refresh: a command that is not (yet) there is retried for 30 s. Without a
     * current subject the session runs as the assembly's admin user (see {@link #executeAdminCommand}): the lvs:*
     * commands, like Karaf's own, are guarded by etc/org.apache.karaf.command.acl.*.cfg and invisible to a session
     * without roles. SecurityIT checks those roles over SSH.
     */
    protected String executeCommand(String command) throws Exception {
        if (javax.security.auth.Subject.getSubject(java.security.AccessController.getContext()) == null) {
            return executeAdminCommand(command);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return executeOnce(command);
            } catch (Exception e) {
                // Gogo's CommandNotFoundException is not exported to the probe: recognised by name.
                if (!e.getClass().getSimpleName().equals("CommandNotFoundException") || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    private String executeOnce(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        org.apache.karaf.shell.api.console.Session session = sessionFactory.create(System.in, out, out);
        try {
            Object result = session.execute(command);
            if (result != null) {
                out.println(result);
            }
        } finally {
            session.close();
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Publishes a fixture as a JMS TextMessage on topology.&lt;event&gt;, as the Cloud Controller does. */
    protected void publishFixture(String fixture, String topic) throws Exception {
        String body;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + fixture)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + fixture);
            }
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JmsPublisher.publish("tcp://127.0.0.1:" + System.getProperty("itest.openwire.port"), topic, body);
    }

    /**
     * The redeploy tests' setup: the mapping, and keepalived managed by the extension (VRRP only, {@code -P}: this
     * kernel has no IPVS) inside the test's network namespace, or render-only where there is none (a laptop).
     */
    protected static List<Option> managedKeepalivedOptions(String mapping) {
        List<Option> options = new ArrayList<>(List.of(
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "lvs.service.virtualip.set", mapping)));
        if (TestNamespace.NAME.isEmpty()) {
            options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.mode", "render-only"));
        } else {
            options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.mode", "managed"));
            options.add(editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.args",
                    "-P -s " + TestNamespace.NAME));
        }
        return options;
    }

    /** The addresses of the real servers on port 80 in a keepalived.conf. */
    protected static TreeSet<String> realServersOn80(String config) {
        TreeSet<String> ips = new TreeSet<>();
        Matcher m = REAL_SERVER_80.matcher(config);
        while (m.find()) {
            ips.add(m.group(1));
        }
        return ips;
    }

    protected static Path keepalivedConf() {
        return Path.of(System.getProperty("karaf.data"), "keepalived", "keepalived.conf");
    }

    /** Polls until the condition holds or the timeout passes; returns whether it held. */
    protected static boolean await(BooleanSupplier condition, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    protected static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Runs the real {@code keepalived -t} on a file inside the test's network namespace (which holds the VRRP
     * interface eth0); returns its exit code and output.
     */
    protected static String keepalivedCheck(Path conf) throws Exception {
        Process p = new ProcessBuilder("/usr/sbin/keepalived", "-t", "-l", "-s", System.getProperty("itest.netns"),
                "-f", conf.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout\n" + output;
        }
        return p.exitValue() + "\n" + output;
    }

    /**
     * For a requirement CI provides (keepalived, a namespace, chromium, ssh): under CI=true its absence fails the
     * test, since CI must exercise what needs it; elsewhere the caller skips or runs what it can.
     */
    protected static void failIfCi(String missing) {
        if (Boolean.getBoolean("itest.ci")) {
            org.junit.Assert.fail("CI=true but " + missing);
        }
    }

    /** Whether the real keepalived checks can run here (root, keepalived, a namespace); under CI=true they must. */
    protected static boolean keepalivedAvailable() {
        return !System.getProperty("itest.netns", "").isEmpty();
    }

    protected <T> T awaitService(Class<T> type) throws InterruptedException {
        org.osgi.util.tracker.ServiceTracker<T, T> tracker = new org.osgi.util.tracker.ServiceTracker<>(bundleContext,
                type, null);
        tracker.open();
        T service = tracker.waitForService(60_000);
        if (service == null) {
            throw new AssertionError("service " + type.getName() + " never appeared");
        }
        return service;
    }

    /** Our own assembly, as built by karaf-assembly. */
    protected static MavenArtifactUrlReference ourAssembly() {
        return maven().groupId("org.stratoslvs").artifactId("stratos-lvs-karaf").type("tar.gz")
                .version(System.getProperty("project.version"));
    }

    /**
     * Sets a key in a running container's etc/*.cfg file the way an operator's editor does (the line is replaced in
     * place, or appended), so that Felix FileInstall picks the change up.
     */
    protected static void editCfg(String fileName, String key, String value) throws IOException {
        Path file = Path.of(System.getProperty("karaf.etc"), fileName);
        List<String> lines = Files.exists(file) ? new ArrayList<>(Files.readAllLines(file)) : new ArrayList<>();
        java.util.regex.Pattern keyLine = java.util.regex.Pattern.compile(
                "^\\s*" + java.util.regex.Pattern.quote(key) + "\\s*[=:].*$");
        boolean replaced = false;
        for (int i = 0; i < lines.size(); i++) {
            if (keyLine.matcher(lines.get(i)).matches()) {
                lines.set(i, key + " = " + value);
                replaced = true;
            }
        }
        if (!replaced) {
            lines.add(key + " = " + value);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, lines);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Runs a command as an admin user would: commands guarded by Karaf's shell ACLs (bundle:update,
     * bundle:restart, ...) are hidden from a session without the admin role.
     */
    protected String executeAdminCommand(String command) throws Exception {
        javax.security.auth.Subject subject = new javax.security.auth.Subject();
        subject.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.UserPrincipal("karaf"));
        // the roles of the assembly's admingroup (etc/users.properties)
        for (String role : new String[] {"admin", "manager", "viewer", "systembundles"}) {
            subject.getPrincipals().add(new org.apache.karaf.jaas.boot.principal.RolePrincipal(role));
        }
        try {
            return javax.security.auth.Subject.doAs(subject,
                    (java.security.PrivilegedExceptionAction<String>) () -> executeCommand(command));
        } catch (java.security.PrivilegedActionException e) {
            throw e.getException();
        }
    }
}
