package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blast radius, randomized, against the real keepalived -t: streams of member changes over several services, run
 * twice, once clean and once with one member keepalived rejects (an IPv6 link-local real server, which the topology
 * parser refuses too; here it stands for whatever value might slip past it) added to one service at a random step and
 * perhaps removed later. Every other service's final virtual server must be byte-identical to the clean run's; the
 * poisoned one must be at its last version without the poison (or absent if it never had one), or equal to the
 * clean run's once the poison is gone.
 */
class PoisonedMemberRandomizedTest {

    private static final int SEEDS = 4;
    private static final int SERVICES = 6;
    private static final int STEPS = 20;

    private static NetLab lab;

    @TempDir
    Path tmp;

    @BeforeAll
    static void network() {
        TestEnv.requireRootKeepalivedIp();
        lab = new NetLab(1);
    }

    @AfterAll
    static void cleanup() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void onePoisonedMemberNeverChangesAnotherServicesFinalState() throws Exception {
        for (int seed = 1; seed <= SEEDS; seed++) {
            runSeed(seed);
        }
    }

    private void runSeed(long seed) throws Exception {
        Random random = new Random(seed);
        // the stream: for each step the member sets of every service
        List<Map<String, TreeSet<Integer>>> clean = new ArrayList<>();
        Map<String, TreeSet<Integer>> state = new LinkedHashMap<>();
        for (int s = 0; s < SERVICES; s++) {
            TreeSet<Integer> members = new TreeSet<>();
            members.add(1);
            state.put("svc" + s, members);
        }
        for (int step = 0; step < STEPS; step++) {
            String service = "svc" + random.nextInt(SERVICES);
            TreeSet<Integer> members = state.get(service);
            int m = 1 + random.nextInt(6);
            if (!members.add(m) && members.size() > 1) {
                members.remove(m);
            }
            Map<String, TreeSet<Integer>> copy = new LinkedHashMap<>();
            state.forEach((k, v) -> copy.put(k, new TreeSet<>(v)));
            clean.add(copy);
        }
        String poisoned = "svc" + random.nextInt(SERVICES);
        int poisonFrom = random.nextInt(STEPS);
        int poisonUntil = random.nextBoolean() ? STEPS : poisonFrom + 1 + random.nextInt(STEPS - poisonFrom);
        String label = "seed " + seed + ": " + poisoned + " poisoned at steps [" + poisonFrom + ", " + poisonUntil + ")";

        String cleanFinal = run(tmp.resolve("clean-" + seed), clean, null, 0, 0);
        String poisonedFinal = run(tmp.resolve("poisoned-" + seed), clean, poisoned, poisonFrom, poisonUntil);

        Map<String, String> cleanBlocks = blocks(cleanFinal);
        Map<String, String> poisonedBlocks = blocks(poisonedFinal);
        for (int s = 0; s < SERVICES; s++) {
            String service = "svc" + s;
            if (service.equals(poisoned) && poisonUntil == STEPS) {
                continue;
            }
            assertEquals(cleanBlocks.get(service), poisonedBlocks.get(service), label + ", service " + service);
        }
        if (poisonUntil == STEPS) {
            // still poisoned at the end: its last version before the poison (the step before poisonFrom, or the
            // initial state when the poison came first)
            String lastGood = block(service(poisoned, poisonFrom == 0 ? initial()
                    : clean.get(poisonFrom - 1).get(poisoned)), true);
            assertEquals(lastGood, poisonedBlocks.get(poisoned), label + ", the poisoned service");
        }
        assertTrue(!poisonedFinal.contains("fe80::"), label);
        assertNull(validator().validate(poisonedFinal).rejection(), label + ": the applied file is accepted whole");
    }

    private static TreeSet<Integer> initial() {
        TreeSet<Integer> one = new TreeSet<>();
        one.add(1);
        return one;
    }

    private KeepalivedValidator validator() throws Exception {
        KeepalivedSettings s = KeepalivedSettings.parse(Map.of("keepalived.args", "-P -s " + lab.namespaces.get(0)),
                Map.of());
        return new KeepalivedValidator(s, Files.createDirectories(tmp.resolve("v")));
    }

    /** Applies every step of {@code stream} (awaiting each), with the poison where it says; returns the file. */
    private String run(Path dir, List<Map<String, TreeSet<Integer>>> stream, String poisoned, int from, int until)
            throws Exception {
        Path conf = dir.resolve("keepalived.conf");
        Map<String, Object> p = new HashMap<>();
        p.put("keepalived.args", "-P -s " + lab.namespaces.get(0));
        p.put("keepalived.conf.path", conf.toString());
        p.put("keepalived.mode", "render-only");
        p.put("reload.min.interval", "0");
        KeepalivedSettings settings = KeepalivedSettings.parse(p, Map.of());
        assertEquals(List.of(), settings.errors());
        try (ApplyPipeline pipeline = new ApplyPipeline(settings)) {
            StringBuilder first = new StringBuilder(head());
            for (int s = 0; s < SERVICES; s++) {
                first.append(block(service("svc" + s, initial())));
            }
            pipeline.submit(first.toString(), "initial");
            assertTrue(pipeline.awaitIdle(Duration.ofSeconds(30)));
            for (int step = 0; step < stream.size(); step++) {
                StringBuilder text = new StringBuilder(head());
                for (Map.Entry<String, TreeSet<Integer>> e : stream.get(step).entrySet()) {
                    List<String> reals = service(e.getKey(), e.getValue());
                    if (e.getKey().equals(poisoned) && step >= from && step < until) {
                        reals = new ArrayList<>(reals);
                        reals.add("fe80::1");
                    }
                    text.append(block(reals));
                }
                pipeline.submit(text.toString(), "step " + step);
                assertTrue(pipeline.awaitIdle(Duration.ofSeconds(30)));
                assertTrue(pipeline.status().lastApply().outcome().inForce(), pipeline.status().lastApply().toString());
            }
            return Files.readString(conf);
        }
    }

    private String head() {
        return TestEnv.vrrpConfig(lab.interfaces.get(0), "BACKUP", 100, lab.vip(), "1", "# randomized");
    }

    /** The real servers of a service: its name first (for the block's comment), then its addresses. */
    private static List<String> service(String name, TreeSet<Integer> members) {
        List<String> list = new ArrayList<>();
        list.add(name);
        int s = Integer.parseInt(name.substring(3));
        for (int m : members) {
            list.add("10.0." + s + "." + m);
        }
        return list;
    }

    private String block(List<String> serviceThenReals) {
        String name = serviceThenReals.get(0);
        int port = 8000 + Integer.parseInt(name.substring(3));
        StringBuilder b = new StringBuilder("\n# service ").append(name).append(": port ").append(port).append('\n');
        b.append("virtual_server ").append(lab.vip()).append(' ').append(port).append(" {\n")
                .append("    lvs_sched rr\n    lvs_method NAT\n    protocol TCP\n");
        for (String real : serviceThenReals.subList(1, serviceThenReals.size())) {
            b.append("    # member ").append(real).append('\n')
                    .append("    real_server ").append(real).append(' ').append(port).append(" {\n")
                    .append("        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n");
        }
        return b.append("}\n").toString();
    }

    /** service name -> its virtual_server block (from "virtual_server" to its closing brace), as in the file. */
    private static Map<String, String> blocks(String file) {
        Map<String, String> blocks = new HashMap<>();
        for (ConfigSections.Block b : ConfigSections.split(file).orElseThrow().virtualServers()) {
            int port = Integer.parseInt(b.identity().split(" ")[1]);
            blocks.put("svc" + (port - 8000), b.text());
        }
        return blocks;
    }

    /** The block text of a rendering of {@code serviceThenReals}, as {@link #blocks} cuts it. */
    private String block(List<String> serviceThenReals, boolean cut) {
        return cut ? blocks(head() + block(serviceThenReals)).values().iterator().next() : block(serviceThenReals);
    }
}
