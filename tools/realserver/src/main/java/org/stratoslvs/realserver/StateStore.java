package org.stratoslvs.realserver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import java.util.Optional;

/**
 * Reads and writes the state file: plain {@code key=value} lines, written atomically (temp file + rename), so a
 * crash leaves either the old or the new state. Read strictly, because remove acts on it as root.
 */
public final class StateStore {
    public static final Path DEFAULT_PATH = Path.of("/var/lib/stratos-lvs/realserver.state");
    static final String FORMAT = "1";
    private static final String SYSCTL_PREFIX = "sysctl.previous.net.ipv4.conf.";
    private static final int MAX_BYTES = 16 * 1024;

    private final Path path;

    public StateStore(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    public Optional<RealServerState> load() throws ToolException {
        List<String> lines;
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw ToolException.stateFile("state file " + path + " is too large to be ours");
            }
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw ToolException.stateFile("cannot read state file " + path + ": " + e);
        }
        Map<String, String> values = new HashMap<>();
        Map<ArpSysctl, Integer> sysctls = new java.util.LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw corrupt("line without key=value: " + IpAddress.printable(line));
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.startsWith(SYSCTL_PREFIX)) {
                ArpSysctl sysctl = parseSysctlKey(key);
                if (sysctls.put(sysctl, parseSmallInt(key, value)) != null) {
                    throw corrupt("duplicate key " + key);
                }
            } else if (values.put(key, value) != null) {
                throw corrupt("duplicate key " + key);
            }
        }
        if (!FORMAT.equals(values.remove("format"))) {
            throw corrupt("missing or unsupported format (expected format=" + FORMAT + ")");
        }
        RealServerState state;
        try {
            String netnsValue = require(values, "netns");
            String netns = netnsValue.isEmpty() ? null : Names.netnsName(netnsValue);
            IpAddress vip = IpAddress.parse(require(values, "vip"));
            int prefix = parseSmallInt("prefix", require(values, "prefix"));
            if (prefix < 1 || prefix > vip.hostPrefix()) {
                throw corrupt("prefix " + prefix + " does not fit " + vip);
            }
            state = new RealServerState(netns, vip, prefix, Names.interfaceName(require(values, "interface")),
                    Names.interfaceName(require(values, "interface.requested")));
        } catch (ToolException e) {
            // Name and address validators classify as usage/VIP errors; here the file is at fault.
            throw e.exitCode() == ExitCode.STATE_FILE ? e : corrupt(e.getMessage());
        }
        state.interfaceCreated(parseBoolean(values, "interface.created"));
        state.linkSetUp(parseBoolean(values, "link.set-up"));
        state.addressAdded(parseBoolean(values, "address.added"));
        if (!values.isEmpty()) {
            throw corrupt("unknown keys " + values.keySet());
        }
        for (Entry<ArpSysctl, Integer> e : sysctls.entrySet()) {
            state.recordPreviousSysctl(e.getKey(), e.getValue());
        }
        return Optional.of(state);
    }

    private ToolException corrupt(String detail) {
        return ToolException.stateFile("state file " + path + " is not valid: " + detail);
    }

    private String require(Map<String, String> values, String key) throws ToolException {
        String value = values.remove(key);
        if (value == null) {
            throw corrupt("missing " + key);
        }
        return value;
    }

    private boolean parseBoolean(Map<String, String> values, String key) throws ToolException {
        String value = require(values, key);
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        throw corrupt(key + " must be true or false");
    }

    private int parseSmallInt(String key, String value) throws ToolException {
        if (!value.matches("[0-9]{1,3}")) {
            throw corrupt(key + " must be a small non-negative number");
        }
        return Integer.parseInt(value);
    }

    private ArpSysctl parseSysctlKey(String key) throws ToolException {
        String rest = key.substring(SYSCTL_PREFIX.length());
        int dot = rest.lastIndexOf('.');
        ArpSysctl.Param param = dot > 0 ? ArpSysctl.Param.bySysctlName(rest.substring(dot + 1)) : null;
        if (param == null) {
            throw corrupt("unknown sysctl key " + IpAddress.printable(key));
        }
        String scope = rest.substring(0, dot);
        if (!scope.equals(ArpSysctl.ALL)) {
            try {
                Names.interfaceName(scope);
            } catch (ToolException e) {
                throw corrupt("bad interface in " + IpAddress.printable(key));
            }
        }
        return new ArpSysctl(scope, param);
    }

    public void save(RealServerState state) throws ToolException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by lvs-realserver apply; read by lvs-realserver remove to undo exactly these changes.\n");
        sb.append("format=").append(FORMAT).append('\n');
        sb.append("netns=").append(state.netns() == null ? "" : state.netns()).append('\n');
        sb.append("vip=").append(state.vip()).append('\n');
        sb.append("prefix=").append(state.prefix()).append('\n');
        sb.append("interface=").append(state.interfaceName()).append('\n');
        sb.append("interface.requested=").append(state.requestedInterface()).append('\n');
        sb.append("interface.created=").append(state.interfaceCreated()).append('\n');
        sb.append("link.set-up=").append(state.linkSetUp()).append('\n');
        sb.append("address.added=").append(state.addressAdded()).append('\n');
        for (Entry<ArpSysctl, Integer> e : state.previousSysctls().entrySet()) {
            sb.append(SYSCTL_PREFIX).append(e.getKey().scope()).append('.').append(e.getKey().param().sysctlName())
                    .append('=').append(e.getValue()).append('\n');
        }
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".realserver-state", ".tmp");
            try {
                Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw ToolException.stateFile("cannot write state file " + path + ": " + e);
        }
    }

    public void delete() throws ToolException {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw ToolException.stateFile("cannot delete state file " + path + ": " + e);
        }
    }
}
