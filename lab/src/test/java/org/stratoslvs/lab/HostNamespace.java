package org.stratoslvs.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace on the host holding interfaces named like the guest's (br-cli, br-rs), for the product's
 * {@code keepalived -t}: keepalived checks that a VRRP instance's interface exists where it runs, and validation
 * stays on the host, as in production. The bridges have no ports and stay down: nothing leaves the namespace.
 */
final class HostNamespace implements AutoCloseable {

    private static int counter;
    private final String name;

    private HostNamespace(String name) {
        this.name = name;
    }

    static synchronized HostNamespace create() throws IOException, InterruptedException {
        String name = "stratoslvs-lab-" + ProcessHandle.current().pid() + "-" + (++counter);
        ip("netns", "add", name);
        HostNamespace ns = new HostNamespace(name);
        Runtime.getRuntime().addShutdownHook(new Thread(ns::close));
        for (String br : List.of("br-cli", "br-rs")) {
            ip("-n", name, "link", "add", br, "type", "bridge");
        }
        return ns;
    }

    String name() {
        return name;
    }

    /** {@code keepalived.command.prefix} for the product: keepalived -t runs inside this namespace. */
    String commandPrefix() {
        return LabEnv.IP + " netns exec " + name;
    }

    @Override
    public void close() {
        try {
            Process p = new ProcessBuilder(LabEnv.IP.toString(), "netns", "delete", name).redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort: the name is unique per JVM
        }
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(LabEnv.IP.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " exit " + p.exitValue() + ": " + out.strip());
        }
    }
}
