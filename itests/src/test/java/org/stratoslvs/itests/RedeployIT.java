package org.stratoslvs.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import javax.management.ObjectName;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.stratoslvs.api.ConfigGenerator;
import org.stratoslvs.api.KeepalivedControl;
import org.stratoslvs.api.TopologyService;

/**
 * Hot redeploy under load: while a fake Cloud Controller flips members between Active and Suspended every few
 * milliseconds, each of our bundles is updated, restarted or dropped into deploy/. Afterwards the applied
 * keepalived.conf must be exactly what a fresh render of the Cloud Controller's final truth gives, and the managed
 * keepalived (VRRP only, in the test's network namespace) must have kept its pid through every redeploy of the
 * listening and rendering bundles.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RedeployIT extends LvsKarafTestSupport {

    private static final int MEMBERS = 20;

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
        return managedKeepalivedOptions("web|192.168.56.40");
    }

    @Test
    public void redeployingEveryBundleUnderLoadConverges() throws Exception {
        boolean managed = keepalivedAvailable();
        if (!managed) {
            // on a laptop: render-only, the redeploys are still tested
            failIfCi("managed keepalived needs root, keepalived and a namespace");
        }
        TopologyService topology = awaitService(TopologyService.class);
        assertTrue("route never connected", await(() -> topology.status().connected(), 30_000));

        try (FakeCloudController cc = new FakeCloudController("tcp://127.0.0.1:"
                + System.getProperty("itest.openwire.port"), MEMBERS)) {
            cc.publishComplete();
            awaitConverged(cc, 30_000);
            long pid = -1;
            if (managed) {
                assertTrue("managed keepalived never started: " + control().status(),
                        await(() -> control().status().pid() > 0, 30_000));
                pid = control().status().pid();
            }

            cc.startLoad(10);
            for (String bsn : new String[] {"stratos-lvs-topology", "stratos-lvs-render"}) {
                for (String op : new String[] {"update", "restart"}) {
                    redeploy(bsn, op);
                    if (managed) {
                        assertEquals("keepalived was restarted by bundle:" + op + " of " + bsn, pid,
                                control().status().pid());
                    }
                }
            }

            dropIntoDeploy("stratos-lvs-render");
            if (managed) {
                assertEquals("keepalived was restarted by a deploy/ drop of the render bundle", pid,
                        control().status().pid());
            }
            dropIntoDeploy("stratos-lvs-topology");
            if (managed) {
                assertEquals("keepalived was restarted by a deploy/ drop of the topology bundle", pid,
                        control().status().pid());
            }

            // keepalived control itself: keepalived may restart (stop.on.shutdown), the config must converge
            redeploy("stratos-lvs-keepalived", "restart");
            redeploy("stratos-lvs-keepalived", "update");
            // the management and console bundles come back with their MBeans and page
            redeploy("stratos-lvs-management", "restart");
            assertTrue("Status MBean not back", await(() -> ManagementFactory.getPlatformMBeanServer()
                    .isRegistered(objectName("org.stratoslvs:type=Status")), 60_000));
            redeploy("stratos-lvs-shell", "update");

            cc.stopLoad();
            System.err.println("published " + cc.eventsPublished() + " member events, " + cc.completesPublished()
                    + " complete topologies");
            awaitConverged(cc, 60_000);

            // Quiet now: no event will come to trigger a render. A keepalived control that comes back must still
            // get the config (the render component re-submits when it binds to the new control).
            redeploy("stratos-lvs-keepalived", "restart");
            awaitConverged(cc, 30_000);
            if (managed) {
                // the restarted control starts keepalived on a thread of its own: converged may come first
                assertTrue("managed keepalived not restarted: " + control().status(),
                        await(() -> control().status().pid() > 0, 30_000));
                long quietPid = control().status().pid();
                redeploy("stratos-lvs-render", "restart");
                redeploy("stratos-lvs-topology", "restart");
                awaitConverged(cc, 30_000);
                assertEquals("keepalived restarted by a quiet redeploy", quietPid, control().status().pid());
            }

            String applied = control().appliedConfig();
            assertEquals("applied config differs from a fresh render", generator().preview(), applied);
            assertEquals(applied, read(keepalivedConf()));
            assertTrue(cc.eventsPublished() > 100);
            if (managed) {
                assertTrue("managed keepalived not running at the end: " + control().status(),
                        await(() -> control().status().pid() > 0, 30_000));
                String check = keepalivedCheck(keepalivedConf());
                assertTrue("keepalived -t rejected the file:\n" + check, check.startsWith("0\n"));
            }
            String status = executeCommand("lvs:status");
            System.err.println(status);
        }
    }

    private KeepalivedControl control() {
        return serviceNow(KeepalivedControl.class);
    }

    private ConfigGenerator generator() {
        return serviceNow(ConfigGenerator.class);
    }

    private <T> T serviceNow(Class<T> type) {
        try {
            return awaitService(type);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static ObjectName objectName(String name) {
        try {
            return new ObjectName(name);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Waits until the applied file has exactly the Cloud Controller's Active members and equals a fresh render. */
    private void awaitConverged(FakeCloudController cc, long millis) throws Exception {
        boolean ok = await(() -> {
            String applied = control().appliedConfig();
            return applied != null && realServersOn80(applied).equals(cc.activeIps())
                    && applied.equals(generator().preview());
        }, millis);
        String applied = control().appliedConfig();
        assertTrue("not converged: expected real servers " + cc.activeIps() + " but applied has "
                + (applied == null ? null : realServersOn80(applied)) + "\n" + control().status(), ok);
    }

    private Bundle bundle(String symbolicName) {
        Bundle found = null;
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                assertTrue("two bundles named " + symbolicName, found == null);
                found = b;
            }
        }
        assertTrue("no bundle " + symbolicName, found != null);
        return found;
    }

    /** bundle:update or bundle:restart while events flow; returns once the bundle's services are back. */
    private void redeploy(String symbolicName, String op) throws Exception {
        Thread.sleep(700);
        Bundle b = bundle(symbolicName);
        long started = System.nanoTime();
        String out = executeAdminCommand("bundle:" + op + " " + b.getBundleId());
        assertTrue(out, out.isBlank());
        awaitBack(symbolicName);
        System.err.printf("bundle:%s %s: back in %d ms%n", op, symbolicName, (System.nanoTime() - started) / 1_000_000);
        Thread.sleep(700);
    }

    /**
     * Copies the bundle's own jar into deploy/, as an operator dropping a new build does: FileInstall sees the
     * same symbolic name and version and updates the installed bundle in place.
     */
    private void dropIntoDeploy(String symbolicName) throws Exception {
        Thread.sleep(700);
        Bundle b = bundle(symbolicName);
        long modified = b.getLastModified();
        Path deploy = Path.of(System.getProperty("karaf.base"), "deploy");
        Path tmp = deploy.resolve(symbolicName + ".jar.part");
        try (InputStream in = new URL(b.getLocation()).openStream()) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        // touch: a fresh timestamp, as a new build would have
        Files.move(tmp, deploy.resolve(symbolicName + ".jar"), StandardCopyOption.ATOMIC_MOVE);
        long started = System.nanoTime();
        assertTrue("FileInstall did not update " + symbolicName + " from deploy/",
                await(() -> bundle(symbolicName).getLastModified() != modified, 30_000));
        awaitBack(symbolicName);
        System.err.printf("deploy/ drop of %s: back in %d ms%n", symbolicName, (System.nanoTime() - started) / 1_000_000);
        Thread.sleep(700);
    }

    /** Waits until the bundle is ACTIVE and has registered its DS services again. */
    private void awaitBack(String symbolicName) throws Exception {
        Class<?> service = switch (symbolicName) {
            case "stratos-lvs-topology" -> TopologyService.class;
            case "stratos-lvs-render" -> ConfigGenerator.class;
            case "stratos-lvs-keepalived" -> KeepalivedControl.class;
            default -> null;
        };
        assertTrue(symbolicName + " did not come back", await(() -> {
            Bundle b = bundle(symbolicName);
            if (b.getState() != Bundle.ACTIVE) {
                return false;
            }
            if (service == null) {
                return true;
            }
            ServiceReference<?>[] refs = b.getRegisteredServices();
            if (refs == null) {
                return false;
            }
            for (ServiceReference<?> ref : refs) {
                for (String name : (String[]) ref.getProperty("objectClass")) {
                    if (name.equals(service.getName())) {
                        return true;
                    }
                }
            }
            return false;
        }, 60_000));
        if (service == TopologyService.class) {
            TopologyService t = awaitService(TopologyService.class);
            assertTrue("route not reconnected", await(() -> t.status().connected(), 30_000));
        }
    }
}
