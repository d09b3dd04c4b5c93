package org.stratoslvs.realserver;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Command-line entry point: parses and validates everything, then runs apply/remove/status. */
public final class Main {
    static final String USAGE = String.join("\n",
            "Usage: lvs-realserver apply|remove|status [options]",
            "  --payload FILE      Stratos launch-params file; its LVS_VIRTUAL_IP=<vip>|<netmask> is used",
            "  --vip VIP           ADDR, ADDR/PREFIX, ADDR/NETMASK or ADDR|NETMASK (IPv4 or IPv6)",
            "  --interface NAME    dummy interface to create or use (default lvs0); lo uses the loopback device",
            "  --use-mask          bind the VIP with its netmask instead of /32 or /128 (refused on lo)",
            "  --state-file PATH   where apply records its changes (default " + StateStore.DEFAULT_PATH + ")",
            "  --netns NAME        run ip and sysctl inside network namespace NAME",
            "  --lock-wait SECONDS how long apply/remove wait for another run on the same state file (default "
                    + StateLock.DEFAULT_WAIT.toSeconds() + ")",
            "  -h, --help          this text",
            "apply needs --payload or --vip; remove and status read the state file.",
            "Exit codes: 0 ok/no-op, 1 internal error, 2 usage, 3 invalid VIP or payload value, 4 payload",
            "unreadable, 5 refused (unsafe or conflicting), 6 ip/sysctl failed, 7 state file invalid, 8 status: drift,",
            "9 another run held the state file's lock for longer than --lock-wait (nothing changed)");

    private static final Set<String> VALUE_OPTIONS = Set.of("--payload", "--vip", "--interface", "--state-file", "--netns",
            "--lock-wait");
    private static final Set<String> FLAG_OPTIONS = Set.of("--use-mask");

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, new ProcessCommandRunner(), NetworkSystem.Executables.resolve());
        System.out.flush();
        System.exit(code);
    }

    /** Everything main does except exiting; tests call this with a recording runner. */
    public static int run(String[] args, PrintStream out, PrintStream err, CommandRunner runner,
                          NetworkSystem.Executables executables) {
        try {
            return execute(args, out, runner, executables).code();
        } catch (ToolException e) {
            err.println("lvs-realserver: " + e.getMessage());
            if (e.exitCode() == ExitCode.USAGE) {
                err.println(USAGE);
            }
            return e.exitCode().code();
        } catch (RuntimeException e) {
            err.println("lvs-realserver: internal error: " + e);
            return ExitCode.INTERNAL_ERROR.code();
        }
    }

    private static ExitCode execute(String[] args, PrintStream out, CommandRunner runner,
                                    NetworkSystem.Executables executables) throws ToolException {
        String command = null;
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                out.println(USAGE);
                return ExitCode.OK;
            }
            if (!arg.startsWith("-")) {
                if (command != null) {
                    throw ToolException.usage("unexpected argument " + IpAddress.printable(arg));
                }
                command = arg;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            String value;
            if (FLAG_OPTIONS.contains(name)) {
                if (eq > 0) {
                    throw ToolException.usage(name + " takes no value");
                }
                value = "true";
            } else if (VALUE_OPTIONS.contains(name)) {
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw ToolException.usage(name + " needs a value");
                }
            } else {
                throw ToolException.usage("unknown option " + IpAddress.printable(name));
            }
            if (options.put(name, value) != null) {
                throw ToolException.usage(name + " given more than once");
            }
        }
        if (command == null) {
            throw ToolException.usage("no command given");
        }
        if (!Set.of("apply", "remove", "status").contains(command)) {
            throw ToolException.usage("unknown command " + IpAddress.printable(command));
        }
        if (options.containsKey("--payload") && options.containsKey("--vip")) {
            throw ToolException.usage("give either --payload or --vip, not both");
        }
        if (!command.equals("apply") && options.containsKey("--use-mask")) {
            throw ToolException.usage("--use-mask only applies to apply");
        }
        if (command.equals("remove") && options.containsKey("--interface")) {
            throw ToolException.usage("remove takes the interface from the state file; --interface is not accepted");
        }
        if (command.equals("status") && options.containsKey("--lock-wait")) {
            throw ToolException.usage("--lock-wait only applies to apply and remove (status changes nothing)");
        }
        if (command.equals("apply") && !options.containsKey("--payload") && !options.containsKey("--vip")) {
            throw ToolException.usage("apply needs --payload FILE or --vip VIP");
        }

        // Validate every input before the first command runs: a bad value must leave the system untouched.
        String interfaceName = options.containsKey("--interface") ? Names.interfaceName(options.get("--interface")) : null;
        String netns = options.containsKey("--netns") ? Names.netnsName(options.get("--netns")) : null;
        Path stateFile = options.containsKey("--state-file") ? statePath(options.get("--state-file")) : StateStore.DEFAULT_PATH;
        Duration lockWait = options.containsKey("--lock-wait") ? lockWait(options.get("--lock-wait"))
                : StateLock.DEFAULT_WAIT;
        VirtualIp vip = null;
        if (options.containsKey("--vip")) {
            vip = VirtualIp.parse(options.get("--vip"));
        } else if (options.containsKey("--payload")) {
            Path payload = Path.of(options.get("--payload"));
            Optional<String> value = LaunchParams.vipValue(payload);
            if (value.isEmpty()) {
                if (command.equals("apply")) {
                    out.println("apply: payload " + payload + " carries no " + LaunchParams.VIP_KEY
                            + " value; nothing to do (this member is not behind an LVS VIP)");
                    return ExitCode.OK;
                }
            } else {
                vip = VirtualIp.parse(value.get());
            }
        }

        NetworkSystem system = new NetworkSystem(runner, executables, netns);
        RealServerConfigurator configurator = new RealServerConfigurator(system, new StateStore(stateFile), out);
        if (command.equals("status")) {
            return configurator.status(vip, interfaceName);
        }
        // The whole read-modify-write under one lock: a concurrent run must not act on a state it read before ours
        // was saved (two applies would both see "no state", and the later save would drop the other's record).
        try (StateLock lock = StateLock.acquire(stateFile, lockWait, out)) {
            return command.equals("apply")
                    ? configurator.apply(vip, interfaceName, options.containsKey("--use-mask"))
                    : configurator.remove(vip);
        }
    }

    private static Duration lockWait(String value) throws ToolException {
        if (!value.matches("0|[1-9][0-9]{0,3}") || Integer.parseInt(value) > 3600) {
            throw ToolException.usage("invalid --lock-wait " + IpAddress.printable(value)
                    + " (whole seconds, 0 to 3600)");
        }
        return Duration.ofSeconds(Integer.parseInt(value));
    }

    private static Path statePath(String value) throws ToolException {
        if (value.isEmpty() || value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0) {
            throw ToolException.usage("invalid --state-file " + IpAddress.printable(value));
        }
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw ToolException.usage("invalid --state-file " + IpAddress.printable(value));
        }
    }
}
