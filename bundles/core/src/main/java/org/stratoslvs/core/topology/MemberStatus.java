package org.stratoslvs.core.topology;

import java.util.Optional;

/** Stratos 4.1 member states, spelled as on the wire (the last entry of {@code memberStateManager.stateStack}). */
public enum MemberStatus {
    Created, Initialized, Starting, Active, In_Maintenance, ReadyToShutDown, Suspended, Terminated;

    public static Optional<MemberStatus> fromWire(String text) {
        if (text != null) {
            for (MemberStatus s : values()) {
                if (s.name().equals(text)) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.empty();
    }

    /** Only Active members carry traffic. */
    public boolean carriesTraffic() {
        return this == Active;
    }
}
