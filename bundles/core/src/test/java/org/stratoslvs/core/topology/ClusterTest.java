package org.stratoslvs.core.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/** The topology records over their persistent maps: copies where they must, sharing where they may. */
class ClusterTest {

    @Test
    void recordsKeepTheirPublicShape() {
        // Record constructors accept any SortedMap and expose an unmodifiable sorted view.
        TreeMap<String, Member> members = new TreeMap<>();
        Member m = new Member("m1", "s", "c", null, null, MemberStatus.Active, null, "10.0.0.1", null, null);
        members.put("m1", m);
        Cluster c = new Cluster("c", "s", null, false, members);
        members.clear();
        assertEquals(1, c.members().size(), "defensive copy");
        assertThrows(UnsupportedOperationException.class, () -> c.members().clear());
        assertSame(c, c.withMember(m), "same member instance: nothing to copy");
        assertSame(c, c.withoutMember("nope"));
        Cluster c2 = c.withMember(m.withStatus(MemberStatus.Suspended));
        assertEquals(MemberStatus.Active, c.member("m1").status(), "old snapshot intact");
        assertEquals(MemberStatus.Suspended, c2.member("m1").status());
    }
}
