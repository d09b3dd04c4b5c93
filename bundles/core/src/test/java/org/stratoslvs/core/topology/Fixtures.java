package org.stratoslvs.core.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Test fixtures from src/test/resources/fixtures (copies of real Stratos 4.1.5 messages). */
final class Fixtures {

    static final String SEQUENCE_1 = "fixtures/stratos-4.1.5/sequence-1/";
    static final String AGENT_COMPLETE = "fixtures/stratos-4.1.x-agent-tests/topology.CompleteTopologyEvent.json";

    /** File names of sequence-1 in publish order (a class-path folder cannot be listed portably). */
    static final String[] SEQUENCE_1_FILES = {
            "0001-topology.CompleteTopologyEvent.json",
            "0002-topology.ServiceCreatedEvent.json",
            "0003-topology.ClusterCreatedEvent.json",
            "0004-topology.ApplicationClustersCreatedEvent.json",
            "0005-topology.MemberCreatedEvent.json",
            "0006-topology.MemberInitializedEvent.json",
            "0007-topology.MemberStartedEvent.json",
            "0008-topology.MemberActivatedEvent.json",
            "0009-topology.MemberCreatedEvent.json",
            "0010-topology.MemberInitializedEvent.json",
            "0011-topology.MemberStartedEvent.json",
            "0012-topology.MemberActivatedEvent.json",
            "0013-topology.MemberSuspendedEvent.json",
            "0014-topology.MemberActivatedEvent.json",
            "0015-topology.MemberMaintenanceModeEvent.json",
            "0016-topology.MemberReadyToShutdownEvent.json",
            "0017-topology.MemberTerminatedEvent.json",
            "0018-topology.ApplicationClustersRemovedEvent.json",
            "0019-topology.ClusterRemovedEvent.json",
            "0020-topology.ServiceRemovedEvent.json",
    };

    record Message(String file, String topic, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private Fixtures() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String resource) {
        return new String(bytes(resource), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** "0008-topology.MemberActivatedEvent.json" → "topology.MemberActivatedEvent". */
    static String topicOf(String file) {
        String base = file.substring(file.lastIndexOf('/') + 1);
        int dash = base.indexOf('-');
        return base.substring(dash + 1, base.length() - ".json".length());
    }

    static List<Message> sequence1() {
        List<Message> out = new ArrayList<>();
        for (String f : SEQUENCE_1_FILES) {
            out.add(new Message(f, topicOf(f), bytes(SEQUENCE_1 + f)));
        }
        return out;
    }
}
