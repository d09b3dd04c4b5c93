package org.stratoslvs.core.topology;

import java.util.Locale;
import java.util.regex.Pattern;

import org.stratoslvs.core.validate.Identifiers;
import org.stratoslvs.core.validate.InvalidValueException;

/**
 * A Stratos port: {@code proxy} is where the load balancer listens, {@code value} where the member listens.
 *
 * @param protocol lower-case protocol word as Stratos sends it (http, https, tcp, udp, ...)
 */
public record Port(String protocol, int value, int proxy) {

    private static final Pattern PROTOCOL = Pattern.compile("[a-z][a-z0-9-]{0,15}");

    public Port {
        protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
        if (!PROTOCOL.matcher(protocol).matches()) {
            throw new InvalidValueException("invalid port protocol " + Identifiers.quote(protocol));
        }
        Identifiers.requirePort("port value", value);
        Identifiers.requirePort("port proxy", proxy);
    }

    /** IPVS transport: only {@code udp} is UDP; http, https, tcp and anything else is carried over TCP. */
    public boolean isUdp() {
        return "udp".equals(protocol);
    }
}
