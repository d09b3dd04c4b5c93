package org.stratoslvs.keepalived;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Network namespaces joined by veth pairs on a bridge, with unique names per run and 10.99.N.0/24 addresses inside
 * them only. Removed on close, and by a shutdown hook should the JVM stop before.
 */
final class NetLab implements AutoCloseable {

    final String id;
    final int subnet;
    final List<String> namespaces = new ArrayList<>();
    final List<String> interfaces = new ArrayList<>();
    final String bridge;
    private final Thread cleanupHook = new Thread(this::cleanup, "netlab-cleanup");

    /** {@code count} namespaces; namespace i (0-based) has interface {@code interfaces.get(i)} = 10.99.N.(i+1). */
    NetLab(int count) {
        id = Long.toString(ProcessHandle.current().pid() % 10000, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        subnet = 1 + ThreadLocalRandom.current().nextInt(250);
        bridge = "skb" + id;
        Runtime.getRuntime().addShutdownHook(cleanupHook);
        try {
            TestEnv.sh(TestEnv.ip(), "link", "add", bridge, "type", "bridge");
            TestEnv.sh(TestEnv.ip(), "link", "set", bridge, "up");
            for (int i = 0; i < count; i++) {
                String ns = "skn" + id + i;
                String inner = "skv" + id + i;
                String outer = "skv" + id + i + "p";
                TestEnv.sh(TestEnv.ip(), "netns", "add", ns);
                namespaces.add(ns);
                TestEnv.sh(TestEnv.ip(), "link", "add", inner, "type", "veth", "peer", "name", outer);
                TestEnv.sh(TestEnv.ip(), "link", "set", outer, "master", bridge, "up");
                TestEnv.sh(TestEnv.ip(), "link", "set", inner, "netns", ns);
                TestEnv.sh(TestEnv.ip(), "-n", ns, "addr", "add", address(i) + "/24", "dev", inner);
                TestEnv.sh(TestEnv.ip(), "-n", ns, "link", "set", inner, "up");
                TestEnv.sh(TestEnv.ip(), "-n", ns, "link", "set", "lo", "up");
                interfaces.add(inner);
            }
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    String address(int i) {
        return "10.99." + subnet + "." + (i + 1);
    }

    String vip() {
        return "10.99." + subnet + ".200";
    }

    /** True when namespace i holds the address right now. */
    boolean has(int i, String address) {
        return TestEnv.sh(TestEnv.ip(), "-n", namespaces.get(i), "-4", "-o", "addr", "show").contains(" " + address + "/");
    }

    @Override
    public void close() {
        cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private void cleanup() {
        for (String ns : namespaces) {
            // deleting a namespace destroys its veth end, and with it the peer on the bridge
            TestEnv.quiet(TestEnv.ip(), "netns", "del", ns);
            // keepalived -s NS leaves its per-namespace run directory behind
            TestEnv.quiet("rm", "-rf", "/run/keepalived/keepalived_" + ns);
        }
        TestEnv.quiet(TestEnv.ip(), "link", "del", bridge);
    }
}
