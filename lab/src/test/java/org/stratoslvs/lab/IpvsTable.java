package org.stratoslvs.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's IPVS table as {@code ipvsadm -Ln} prints it:
 * <pre>
 * TCP  10.1.0.100:80 rr
 *   -&gt; 10.2.0.11:8080               Masq    1      0          0
 * </pre>
 */
record IpvsTable(List<Service> services, String text) {

    /** A virtual service: protocol (TCP, UDP, FWM), address:port, scheduler and the flags after it. */
    record Service(String protocol, String address, String scheduler, String flags, List<Destination> destinations) {

        Optional<Destination> destination(String address) {
            return destinations.stream().filter(d -> d.address().equals(address)).findFirst();
        }

        List<String> destinationAddresses() {
            return destinations.stream().map(Destination::address).toList();
        }
    }

    /** A real server: address:port, forwarding method (Masq, Route, Tunnel), weight, connections. */
    record Destination(String address, String forward, int weight, int active, int inactive) {
    }

    static IpvsTable parse(String text) {
        List<Service> services = new ArrayList<>();
        String protocol = null;
        String address = null;
        String scheduler = null;
        String flags = null;
        List<Destination> destinations = null;
        for (String line : text.split("\n")) {
            String t = line.strip();
            String[] f = t.split("\\s+");
            if (t.startsWith("->") && f.length >= 6 && destinations != null && !f[1].equals("RemoteAddress:Port")) {
                destinations.add(new Destination(f[1], f[2], Integer.parseInt(f[3]), Integer.parseInt(f[4]),
                        Integer.parseInt(f[5])));
            } else if (f.length >= 3 && (f[0].equals("TCP") || f[0].equals("UDP") || f[0].equals("FWM"))) {
                if (protocol != null) {
                    services.add(new Service(protocol, address, scheduler, flags, List.copyOf(destinations)));
                }
                protocol = f[0];
                address = f[1];
                scheduler = f[2];
                flags = String.join(" ", java.util.Arrays.copyOfRange(f, 3, f.length));
                destinations = new ArrayList<>();
            }
        }
        if (protocol != null) {
            services.add(new Service(protocol, address, scheduler, flags, List.copyOf(destinations)));
        }
        return new IpvsTable(List.copyOf(services), text);
    }

    /**
     * What keepalived configured, without the connection counters (which the kernel changes by itself): one line
     * per service ("TCP 10.1.0.100:80 rr") and per destination ("TCP 10.1.0.100:80 -> 10.2.0.11:8080 Masq 1").
     */
    List<String> configuration() {
        List<String> lines = new ArrayList<>();
        for (Service s : services) {
            String vs = s.protocol() + " " + s.address() + " " + s.scheduler() + (s.flags().isEmpty() ? "" : " "
                    + s.flags());
            lines.add(vs);
            for (Destination d : s.destinations()) {
                lines.add(s.protocol() + " " + s.address() + " -> " + d.address() + " " + d.forward() + " "
                        + d.weight());
            }
        }
        return lines;
    }

    Optional<Service> service(String protocol, String address) {
        return services.stream().filter(s -> s.protocol().equals(protocol) && s.address().equals(address))
                .findFirst();
    }

    /** The destinations of a service, empty when the service is absent. */
    List<String> destinations(String protocol, String address) {
        return service(protocol, address).map(Service::destinationAddresses).orElse(List.of());
    }
}
