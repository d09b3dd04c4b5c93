package org.stratoslvs.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The UML kernel's modules, from the installed user-mode-linux package: the module directory is the one of the
 * package's files that holds {@code modules.dep} for the kernel's own version ({@code linux.uml --version}), so a
 * new package version needs no change here. The guest loads them with busybox insmod (the host's root, which the
 * guest boots on, has no /lib/modules for this kernel, so modprobe cannot find them).
 */
final class KernelModules {

    private KernelModules() {
    }

    /** Absolute .ko paths for {@code wanted}, every module after its dependencies, each once. */
    static List<String> resolve(List<String> wanted) throws IOException, InterruptedException {
        Path dir = moduleDir();
        Map<String, List<String>> deps = parseDep(Files.readAllLines(dir.resolve("modules.dep")));
        Map<String, String> byName = new LinkedHashMap<>();
        for (String ko : deps.keySet()) {
            byName.put(name(ko), ko);
        }
        Set<String> order = new LinkedHashSet<>();
        for (String module : wanted) {
            String ko = byName.get(module);
            if (ko == null) {
                throw new IOException("the UML kernel has no module " + module + " in " + dir);
            }
            // modules.dep lists a module's dependencies deepest last, so they load in reverse order
            List<String> chain = new ArrayList<>(deps.get(ko));
            java.util.Collections.reverse(chain);
            chain.add(ko);
            for (String k : chain) {
                order.add(dir.resolve(k).toString());
            }
        }
        return List.copyOf(order);
    }

    static Map<String, List<String>> parseDep(List<String> lines) {
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String rest = line.substring(colon + 1).strip();
            deps.put(line.substring(0, colon), rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
        }
        return deps;
    }

    /** "kernel/net/netfilter/ipvs/ip_vs_rr.ko" → "ip_vs_rr" (also for .ko.xz and .ko.zst). */
    static String name(String ko) {
        String file = ko.substring(ko.lastIndexOf('/') + 1);
        return file.substring(0, file.indexOf(".ko"));
    }

    static Path moduleDir() throws IOException, InterruptedException {
        String version = output(List.of(Guest.KERNEL.toString(), "--version")).strip();
        for (String file : output(List.of("dpkg", "-L", Guest.PACKAGE)).split("\n")) {
            if (file.endsWith("/" + version + "/modules.dep")) {
                return Path.of(file).getParent();
            }
        }
        throw new IOException("package " + Guest.PACKAGE + " has no modules.dep for its kernel " + version);
    }

    private static String output(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " exit " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }
}
