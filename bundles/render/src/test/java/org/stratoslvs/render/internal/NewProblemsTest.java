package org.stratoslvs.render.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class NewProblemsTest {

    private static List<String> absent(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "service s" + i + " is not in the topology").toList();
    }

    @Test
    void eachProblemIsLoggedOnceWhenItAppearsAndAtMostTwentyOfAKindPerRender() {
        NewProblems problems = new NewProblems();
        // a first render of a large topology: 1,000 warnings, 3 errors
        NewProblems.Lines first = problems.next(List.of("e1", "e2", "e3"), absent(0, 1000));
        assertEquals(List.of("e1", "e2", "e3"), first.errors());
        assertEquals(absent(0, NewProblems.LOGGED), first.warnings());
        assertEquals("and 0 more new configuration errors and 980 more new warnings (all in lvs:status)",
                first.more());

        // the same problems again: nothing is new
        NewProblems.Lines same = problems.next(List.of("e1", "e2", "e3"), absent(0, 1000));
        assertEquals(List.of(), same.errors());
        assertEquals(List.of(), same.warnings());
        assertNull(same.more());

        // two new warnings, one gone; a problem that went away and comes back is new again
        NewProblems.Lines next = problems.next(List.of("e1", "e2"), absent(1, 1002));
        assertEquals(List.of(), next.errors());
        assertEquals(absent(1000, 1002), next.warnings());
        assertNull(next.more());
        assertEquals(List.of("e3"), problems.next(List.of("e1", "e2", "e3"), absent(1, 1002)).errors());
    }
}
