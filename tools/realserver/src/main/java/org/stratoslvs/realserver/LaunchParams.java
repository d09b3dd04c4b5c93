package org.stratoslvs.realserver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads {@code LVS_VIRTUAL_IP} from a Stratos launch-params payload: one line of comma-separated
 * {@code key=value} pairs. Only that key is interpreted; other entries are not validated because other agents own them.
 */
public final class LaunchParams {
    public static final String VIP_KEY = "LVS_VIRTUAL_IP";
    /** Launch params are a few hundred bytes; a large file is not a payload. */
    static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private LaunchParams() {
    }

    /** The raw value of LVS_VIRTUAL_IP, or empty when the payload does not carry the key (or carries it empty). */
    public static Optional<String> vipValue(Path payload) throws ToolException {
        byte[] raw;
        try (InputStream in = Files.newInputStream(payload)) {
            raw = in.readNBytes(MAX_PAYLOAD_BYTES + 1);
        } catch (IOException e) {
            throw new ToolException(ExitCode.PAYLOAD_UNREADABLE, "cannot read payload " + payload + ": " + e);
        }
        if (raw.length > MAX_PAYLOAD_BYTES) {
            throw new ToolException(ExitCode.PAYLOAD_UNREADABLE,
                    "payload " + payload + " is larger than " + MAX_PAYLOAD_BYTES + " bytes; not a launch-params file");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw ToolException.invalidVip("payload " + payload + " is not valid UTF-8");
        }
        return vipValue(text);
    }

    static Optional<String> vipValue(String text) throws ToolException {
        // Line terminators ending the file are dropped; one inside a value stays there and fails validation.
        int end = text.length();
        while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        String body = text.substring(0, end);
        String found = null;
        for (String entry : body.split(",", -1)) {
            int eq = entry.indexOf('=');
            String key = eq >= 0 ? entry.substring(0, eq) : entry;
            if (key.equals(VIP_KEY)) {
                if (eq < 0) {
                    throw ToolException.invalidVip(VIP_KEY + " appears without '=' in the payload");
                }
                String value = entry.substring(eq + 1);
                if (found != null && !found.equals(value)) {
                    throw ToolException.invalidVip(VIP_KEY + " appears more than once with different values: "
                            + IpAddress.printable(found) + " and " + IpAddress.printable(value));
                }
                found = value;
            } else if (key.strip().toUpperCase(Locale.ROOT).equals(VIP_KEY)) {
                // A near miss would otherwise be a silent no-op on a node that was meant to carry a VIP.
                throw ToolException.invalidVip("payload key " + IpAddress.printable(key) + " looks like " + VIP_KEY
                        + " but is not spelled exactly so");
            }
        }
        if (found == null || found.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(found);
    }
}
