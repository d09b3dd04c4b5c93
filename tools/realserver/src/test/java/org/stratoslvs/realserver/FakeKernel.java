package org.stratoslvs.realserver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A recording {@link CommandRunner} that also plays the kernel: it interprets the ip/sysctl commands the tool issues
 * against an in-memory model, answering in the formats of iproute2 6.1 and procps. This is how the dummy-device
 * path is tested, since this machine's kernel has no dummy driver.
 */
final class FakeKernel implements CommandRunner {

    static final class Link {
        final String name;
        final String kind; // "loopback", "dummy", "ether"
        boolean up;
        final List<String> addresses = new ArrayList<>(); // "inet 1.2.3.4/32"

        Link(String name, String kind, boolean up) {
            this.name = name;
            this.kind = kind;
            this.up = up;
        }
    }

    final List<List<String>> commands = new ArrayList<>();
    final Map<String, Link> links = new LinkedHashMap<>();
    final Map<String, Integer> sysctls = new LinkedHashMap<>();
    boolean dummySupported = true;
    String netns;
    /** Makes a matching command fail with exit 2, to test partial failures. */
    Predicate<List<String>> failing = argv -> false;

    FakeKernel() {
        addLink("lo", "loopback", true);
        links.get("lo").addresses.add("inet 127.0.0.1/8");
        links.get("lo").addresses.add("inet6 ::1/128");
        addLink("eth0", "ether", true);
        links.get("eth0").addresses.add("inet 192.168.56.11/24");
    }

    void addLink(String name, String kind, boolean up) {
        links.put(name, new Link(name, kind, up));
        for (String param : List.of("arp_ignore", "arp_announce")) {
            sysctls.put("net/ipv4/conf/" + name + "/" + param, 0);
        }
        sysctls.putIfAbsent("net/ipv4/conf/all/arp_ignore", 0);
        sysctls.putIfAbsent("net/ipv4/conf/all/arp_announce", 0);
    }

    List<String> mutations() {
        List<String> out = new ArrayList<>();
        for (List<String> argv : commands) {
            String line = String.join(" ", argv);
            boolean read = line.contains(" show") || line.contains("sysctl -n ");
            if (!read) {
                out.add(line);
            }
        }
        return out;
    }

    List<String> commandLines() {
        return commands.stream().map(argv -> String.join(" ", argv)).toList();
    }

    @Override
    public CommandResult run(List<String> argv) {
        commands.add(List.copyOf(argv));
        List<String> a = argv;
        if (netns != null) {
            if (a.size() < 5 || !a.subList(0, 4).equals(List.of("ip", "netns", "exec", netns))) {
                return new CommandResult(1, "", "fake: command outside netns " + netns + ": " + argv);
            }
            a = a.subList(4, a.size());
        }
        if (failing.test(a)) {
            return new CommandResult(2, "", "RTNETLINK answers: Operation not permitted");
        }
        String line = String.join(" ", a);
        if (a.get(0).equals("sysctl")) {
            return sysctl(a);
        }
        if (line.equals("ip -o addr show")) {
            StringBuilder sb = new StringBuilder();
            int index = 1;
            for (Link link : links.values()) {
                for (String address : link.addresses) {
                    sb.append(index).append(": ").append(link.name).append("    ").append(address)
                            .append(" scope global ").append(link.name).append("\\       valid_lft forever\n");
                }
                index++;
            }
            return new CommandResult(0, sb.toString(), "");
        }
        if (line.startsWith("ip -o -d link show dev ")) {
            Link link = links.get(a.get(6));
            if (link == null) {
                return new CommandResult(1, "", "Device \"" + a.get(6) + "\" does not exist.\n");
            }
            String flags = link.kind.equals("loopback") ? "LOOPBACK" : "BROADCAST,NOARP";
            if (link.up) {
                flags += ",UP,LOWER_UP";
            }
            String kindText = link.kind.equals("loopback") ? "link/loopback 00:00:00:00:00:00"
                    : "link/ether 12:34:56:78:9a:bc brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 0 maxmtu 0 \\    "
                    + (link.kind.equals("dummy") ? "dummy " : "") + "addrgenmode eui64";
            return new CommandResult(0, "2: " + link.name + ": <" + flags + "> mtu 1500 qdisc noqueue state UNKNOWN"
                    + " mode DEFAULT group default qlen 1000\\    " + kindText + "\n", "");
        }
        if (a.size() == 6 && line.startsWith("ip link add ") && a.get(5).equals("dummy")) {
            if (!dummySupported) {
                return new CommandResult(2, "", "Error: Unknown device type.\n");
            }
            if (links.containsKey(a.get(3))) {
                return new CommandResult(2, "", "RTNETLINK answers: File exists\n");
            }
            addLink(a.get(3), "dummy", false);
            return ok();
        }
        if (a.size() == 6 && line.startsWith("ip link set dev ")) {
            Link link = links.get(a.get(4));
            if (link == null) {
                return new CommandResult(1, "", "Cannot find device");
            }
            link.up = a.get(5).equals("up");
            return ok();
        }
        if (a.size() == 5 && line.startsWith("ip link del dev ")) {
            if (links.remove(a.get(4)) == null) {
                return new CommandResult(1, "", "Cannot find device");
            }
            String deleted = "net/ipv4/conf/" + a.get(4) + "/";
            sysctls.keySet().removeIf(k -> k.startsWith(deleted));
            return ok();
        }
        if (a.size() >= 7 && a.get(0).equals("ip") && a.get(2).equals("addr") && a.get(5).equals("dev")) {
            Link link = links.get(a.get(6));
            if (link == null) {
                return new CommandResult(1, "", "Cannot find device");
            }
            String entry = (a.get(1).equals("-6") ? "inet6 " : "inet ") + a.get(4);
            if (a.get(3).equals("add")) {
                if (link.addresses.contains(entry)) {
                    return new CommandResult(2, "", "Error: ipv4: Address already assigned.");
                }
                link.addresses.add(entry);
                return ok();
            }
            if (a.get(3).equals("del") && link.addresses.remove(entry)) {
                return ok();
            }
        }
        return new CommandResult(99, "", "fake kernel: unexpected command " + argv);
    }

    private CommandResult sysctl(List<String> a) {
        if (a.size() == 3 && a.get(1).equals("-n")) {
            Integer value = sysctls.get(a.get(2));
            return value == null ? new CommandResult(255, "", "sysctl: cannot stat /proc/sys/" + a.get(2))
                    : new CommandResult(0, value + "\n", "");
        }
        if (a.size() == 4 && a.get(1).equals("-q") && a.get(2).equals("-w")) {
            String[] kv = a.get(3).split("=", 2);
            if (!sysctls.containsKey(kv[0])) {
                return new CommandResult(255, "", "sysctl: cannot stat /proc/sys/" + kv[0]);
            }
            sysctls.put(kv[0], Integer.parseInt(kv[1]));
            return ok();
        }
        return new CommandResult(99, "", "fake kernel: unexpected sysctl " + a);
    }

    private static CommandResult ok() {
        return new CommandResult(0, "", "");
    }
}
