package org.stratoslvs.keepalived.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.stratoslvs.api.ControlStatus;

class KeepalivedControlComponentTest {

    @TempDir
    Path karafData;

    private BundleContext context() {
        return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> method.getName().equals("getProperty") && "karaf.data".equals(args[0])
                        ? karafData.toString() : null);
    }

    @Test
    void resolvesKarafDataAndFollowsConfigurationChanges() throws Exception {
        KeepalivedControlComponent c = new KeepalivedControlComponent();
        // render-only with a validator that accepts everything: this test is about the OSGi wiring, not keepalived
        c.activate(context(), Map.of("keepalived.mode", "render-only", "keepalived.binary", "/bin/true"));
        try {
            ControlStatus st = c.status();
            assertEquals("render-only", st.mode());
            assertEquals(karafData.resolve("keepalived/keepalived.conf").toString(), st.configPath());

            c.submit("# one\n", "test");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (c.appliedConfig() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("# one\n", Files.readString(karafData.resolve("keepalived/keepalived.conf")));

            c.modified(Map.of("keepalived.mode", "render-only", "keepalived.binary", "/bin/true",
                    "keepalived.conf.path", "${karaf.data}/other/k.conf"));
            deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.exists(karafData.resolve("other/k.conf")) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals("# one\n", Files.readString(karafData.resolve("other/k.conf")), "re-applied at the new path");
            assertEquals(karafData.resolve("other/k.conf").toString(), c.status().configPath());

            c.modified(Map.of("keepalived.mode", "render-only", "keepalived.binary", "/bin/true",
                    "reload.min.interval", "soon"));
            deadline = System.nanoTime() + 5_000_000_000L;
            while (!c.status().keepalived().contains("settings:") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(c.status().keepalived().contains("reload.min.interval 'soon' is not a number"),
                    c.status().keepalived());
        } finally {
            c.deactivate();
        }
    }
}
