package org.stratoslvs.itests;

import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * bundle:update -r of the core bundle while events flow. Every other bundle of ours imports core's packages, so the
 * update refreshes all of them at once: the route reconnects and asks for the complete topology, the renderer and
 * keepalived control start again, the shell commands come back. Afterwards the applied file must be exactly the
 * Cloud Controller's final truth and keepalived must run it.
 *
 * <p>Separate from {@link RedeployIT} because the test probe must not be wired to core (a refresh of core would
 * refresh the probe in the middle of the test): this class uses only the shell, files and Bundle objects, never a
 * class of ours, and checks that the probe has no wire to core before and after.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreRedeployIT extends LvsKarafTestSupport {

    private static final String CORE = "stratos-lvs-core";
    private static final String[] DEPENDENTS = {"stratos-lvs-topology", "stratos-lvs-render",
        "stratos-lvs-keepalived", "stratos-lvs-shell", "stratos-lvs-management", "stratos-lvs-webconsole"};
    private static final Pattern PID = Pattern.compile("\\n\\s*pid\\s+(\\d+)");

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
    public void updatingCoreRefreshesEveryBundleAndConverges() throws Exception {
        boolean managed = keepalivedAvailable();
        if (!managed) {
            // on a laptop: render-only, the redeploys are still tested
            failIfCi("managed keepalived needs root, keepalived and a namespace");
        }
        assertProbeNotWiredToCore();
        assertTrue("route never connected", await(() -> status().contains("(connected)"), 60_000));

        try (FakeCloudController cc = new FakeCloudController("tcp://127.0.0.1:"
                + System.getProperty("itest.openwire.port"), 20)) {
            cc.publishComplete();
            awaitConverged(cc, 30_000);
            long pidBefore = managed ? awaitKeepalivedPid() : -1;

            Bundle core = bundle(CORE);
            long coreModified = core.getLastModified();

            cc.startLoad(10);
            Thread.sleep(1_000);
            // -r: without a refresh the other bundles keep using the old revision of core's packages
            String out = executeAdminCommand("bundle:update -r " + core.getBundleId());
            assertTrue(out, out.isBlank());
            assertTrue("core was not updated", bundle(CORE).getLastModified() != coreModified);
            // the refresh runs in the background: done for a bundle once it is wired to core's new revision
            // and active again
            for (String bsn : DEPENDENTS) {
                assertTrue(bsn + " not refreshed onto the new core and active again", await(() -> {
                    Bundle b = bundle(bsn);
                    return wiredTo(b, bundle(CORE)) && b.getState() == Bundle.ACTIVE;
                }, 60_000));
            }
            assertTrue("route not reconnected", await(() -> status().contains("(connected)"), 60_000));
            Thread.sleep(2_000);
            cc.stopLoad();
            System.err.println("published " + cc.eventsPublished() + " member events around the update of core");
            awaitConverged(cc, 60_000);

            assertProbeNotWiredToCore();
            assertTrue(cc.eventsPublished() > 50);
            if (managed) {
                long pidAfter = awaitKeepalivedPid();
                // keepalived control itself was refreshed: with keepalived.stop.on.shutdown (the default) it
                // stopped its keepalived and started a new one
                assertNotEquals("keepalived control was not restarted by the refresh", pidBefore, pidAfter);
                String check = keepalivedCheck(keepalivedConf());
                assertTrue("keepalived -t rejected the file:\n" + check, check.startsWith("0\n"));
            }
            System.err.println(status());
        }
    }

    private String status() {
        try {
            return executeCommand("lvs:status");
        } catch (Exception e) {
            // the shell bundle is being refreshed
            return "";
        }
    }

    private long awaitKeepalivedPid() throws InterruptedException {
        long[] pid = {-1};
        assertTrue("managed keepalived not running:\n" + status(), await(() -> {
            Matcher m = PID.matcher(status());
            pid[0] = m.find() ? Long.parseLong(m.group(1)) : -1;
            return pid[0] > 0 && ProcessHandle.of(pid[0]).map(ProcessHandle::isAlive).orElse(false);
        }, 30_000));
        return pid[0];
    }

    /**
     * Waits until keepalived.conf has exactly the Cloud Controller's Active members and equals what would be
     * rendered now ({@code lvs:config --preview --diff}).
     */
    private void awaitConverged(FakeCloudController cc, long millis) throws Exception {
        boolean ok = await(() -> realServersOn80(read(keepalivedConf())).equals(cc.activeIps())
                && preview().contains("# The preview equals the applied config."), millis);
        assertTrue("not converged: expected real servers " + cc.activeIps() + " but keepalived.conf has "
                + realServersOn80(read(keepalivedConf())) + "\n" + preview() + "\n" + status(), ok);
    }

    private String preview() {
        try {
            return executeCommand("lvs:config --preview --diff");
        } catch (Exception e) {
            return "";
        }
    }

    private Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    /** Whether the bundle's current wiring imports packages from the given bundle's current revision. */
    private static boolean wiredTo(Bundle bundle, Bundle provider) {
        BundleWiring wiring = bundle.adapt(BundleWiring.class);
        if (wiring == null) {
            return false;
        }
        for (BundleWire wire : wiring.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            if (wire.getProvider().equals(provider.adapt(org.osgi.framework.wiring.BundleRevision.class))) {
                return true;
            }
        }
        return false;
    }

    private void assertProbeNotWiredToCore() {
        BundleWiring probe = bundleContext.getBundle().adapt(BundleWiring.class);
        for (BundleWire wire : probe.getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            assertNotEquals("the probe imports " + wire.getCapability().getAttributes() + " from core: a refresh of "
                    + "core would restart this test", CORE, wire.getProvider().getBundle().getSymbolicName());
        }
    }
}
