package org.stratoslvs.realserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The ip/sysctl operations the tool needs, as argument lists, optionally inside a network namespace.
 * All names and addresses reaching this class were validated by the caller; nothing is ever passed to a shell.
 */
public final class NetworkSystem {

    /** Where the binaries are. Absolute paths in production so that a root tool does not depend on PATH. */
    public record Executables(String ip, String sysctl) {
        public static Executables bareNames() {
            return new Executables("ip", "sysctl");
        }

        public static Executables resolve() {
            return new Executables(find("ip"), find("sysctl"));
        }

        private static String find(String name) {
            for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
            return name;
        }
    }

    public record AddressEntry(String interfaceName, IpAddress address, int prefix) {
        @Override
        public String toString() {
            return address + "/" + prefix + " on " + interfaceName;
        }
    }

    public enum LinkKind { LOOPBACK, DUMMY, OTHER }

    public record LinkInfo(String name, LinkKind kind, boolean up) {
    }

    public enum DummyCreation { CREATED, UNSUPPORTED_BY_KERNEL }

    private final CommandRunner runner;
    private final Executables executables;
    private final String netns;

    public NetworkSystem(CommandRunner runner, Executables executables, String netns) {
        this.runner = runner;
        this.executables = executables;
        this.netns = netns;
    }

    public String netns() {
        return netns;
    }

    private List<String> ip(String... args) {
        return command(executables.ip(), args);
    }

    private List<String> sysctl(String... args) {
        return command(executables.sysctl(), args);
    }

    /** net.ipv4.conf.* sysctls are per namespace, so sysctl runs under the same prefix as ip. */
    private List<String> command(String program, String... args) {
        List<String> argv = new ArrayList<>();
        if (netns != null) {
            argv.addAll(List.of(executables.ip(), "netns", "exec", netns));
        }
        argv.add(program);
        argv.addAll(List.of(args));
        return argv;
    }

    private CommandRunner.CommandResult mustRun(List<String> argv) throws ToolException {
        CommandRunner.CommandResult result = runner.run(argv);
        if (!result.ok()) {
            throw ToolException.commandFailed("command failed (exit " + result.exitCode() + "): "
                    + String.join(" ", argv) + (result.errorText().isEmpty() ? "" : ": " + result.errorText()));
        }
        return result;
    }

    /** Every address configured in the namespace, from `ip -o addr show`. */
    public List<AddressEntry> addresses() throws ToolException {
        String out = mustRun(ip("-o", "addr", "show")).stdout();
        List<AddressEntry> entries = new ArrayList<>();
        for (String line : out.split("\n")) {
            // "2: lvs0    inet 192.168.56.50/32 scope global lvs0\       valid_lft forever ..."
            String[] tokens = line.trim().split("\\s+");
            if (tokens.length < 4 || !(tokens[2].equals("inet") || tokens[2].equals("inet6"))) {
                continue;
            }
            String name = stripLinkSuffix(tokens[1]);
            String cidr = tokens[3];
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                continue;
            }
            try {
                IpAddress address = IpAddress.parse(cidr.substring(0, slash));
                int prefix = Integer.parseInt(cidr.substring(slash + 1));
                entries.add(new AddressEntry(name, address, prefix));
            } catch (ToolException | NumberFormatException e) {
                // Forms this tool never creates (e.g. peer addresses); irrelevant for a VIP lookup.
            }
        }
        return entries;
    }

    public List<AddressEntry> addressesOf(IpAddress address) throws ToolException {
        List<AddressEntry> found = new ArrayList<>();
        for (AddressEntry entry : addresses()) {
            if (entry.address().equals(address)) {
                found.add(entry);
            }
        }
        return found;
    }

    /** "lvs0:" or "veth0@if5:" to "lvs0" / "veth0". */
    private static String stripLinkSuffix(String token) {
        String name = token.endsWith(":") ? token.substring(0, token.length() - 1) : token;
        int at = name.indexOf('@');
        return at > 0 ? name.substring(0, at) : name;
    }

    public Optional<LinkInfo> link(String name) throws ToolException {
        List<String> argv = ip("-o", "-d", "link", "show", "dev", name);
        CommandRunner.CommandResult result = runner.run(argv);
        if (!result.ok()) {
            if (result.errorText().contains("does not exist")) {
                return Optional.empty();
            }
            throw ToolException.commandFailed("command failed (exit " + result.exitCode() + "): "
                    + String.join(" ", argv) + ": " + result.errorText());
        }
        String line = result.stdout().strip();
        String[] tokens = line.split("\\s+");
        LinkKind kind = LinkKind.OTHER;
        boolean up = false;
        for (int i = 2; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.equals("link/loopback")) {
                kind = LinkKind.LOOPBACK;
            } else if (token.equals("dummy") && kind == LinkKind.OTHER) {
                // With -d, the link kind appears as a bare word ("... maxmtu 0 \    dummy addrgenmode ...").
                kind = LinkKind.DUMMY;
            }
        }
        int open = line.indexOf('<');
        int close = line.indexOf('>', open + 1);
        if (open >= 0 && close > open) {
            // Administrative state: the UP flag, not "state UNKNOWN", which is normal for lo and dummy.
            up = List.of(line.substring(open + 1, close).split(",")).contains("UP");
        }
        return Optional.of(new LinkInfo(name, kind, up));
    }

    public DummyCreation createDummy(String name) throws ToolException {
        List<String> argv = ip("link", "add", name, "type", "dummy");
        CommandRunner.CommandResult result = runner.run(argv);
        if (result.ok()) {
            return DummyCreation.CREATED;
        }
        String error = result.errorText().toLowerCase(Locale.ROOT);
        // iproute2 with extack says "Unknown device type"; older ones relay EOPNOTSUPP from rtnetlink.
        if (error.contains("unknown device type") || error.contains("operation not supported")) {
            return DummyCreation.UNSUPPORTED_BY_KERNEL;
        }
        throw ToolException.commandFailed("command failed (exit " + result.exitCode() + "): "
                + String.join(" ", argv) + ": " + result.errorText());
    }

    public void setLinkUp(String name, boolean up) throws ToolException {
        mustRun(ip("link", "set", "dev", name, up ? "up" : "down"));
    }

    public void deleteLink(String name) throws ToolException {
        mustRun(ip("link", "del", "dev", name));
    }

    public void addAddress(IpAddress address, int prefix, String name) throws ToolException {
        if (address.isIpv6()) {
            // nodad: the VIP is shared by design (director and every real server), so duplicate address
            // detection would only leave it "tentative"; dummy and lo skip DAD anyway, this makes it explicit.
            mustRun(ip("-6", "addr", "add", address + "/" + prefix, "dev", name, "nodad"));
        } else {
            mustRun(ip("-4", "addr", "add", address + "/" + prefix, "dev", name));
        }
    }

    public void deleteAddress(IpAddress address, int prefix, String name) throws ToolException {
        mustRun(ip(address.isIpv6() ? "-6" : "-4", "addr", "del", address + "/" + prefix, "dev", name));
    }

    public int readSysctl(ArpSysctl key) throws ToolException {
        String out = mustRun(sysctl("-n", key.path())).stdout().strip();
        try {
            return Integer.parseInt(out);
        } catch (NumberFormatException e) {
            throw ToolException.commandFailed("unexpected value for " + key + ": " + IpAddress.printable(out));
        }
    }

    public void writeSysctl(ArpSysctl key, int value) throws ToolException {
        mustRun(sysctl("-q", "-w", key.path() + "=" + value));
    }
}
