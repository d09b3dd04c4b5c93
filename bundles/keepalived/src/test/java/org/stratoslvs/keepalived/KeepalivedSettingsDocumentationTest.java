package org.stratoslvs.keepalived;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.stratoslvs.render.ConfigDocumentation;

/** The .cfg file operators edit documents every keepalived-control key, and its values are our defaults. */
class KeepalivedSettingsDocumentationTest {

    @Test
    void everyKeyIsDocumentedAndTheDocumentedValuesAreTheDefaults() throws Exception {
        Map<String, String> cfg = ConfigDocumentation.cfgDefaults();
        for (String key : List.of(KeepalivedSettings.MODE, KeepalivedSettings.BINARY, KeepalivedSettings.ARGS,
                KeepalivedSettings.COMMAND_PREFIX, KeepalivedSettings.CONF_PATH, KeepalivedSettings.PID_FILE,
                KeepalivedSettings.RELOAD_COMMAND, KeepalivedSettings.STOP_ON_SHUTDOWN, KeepalivedSettings.MIN_INTERVAL,
                KeepalivedSettings.VALIDATE_TIMEOUT, KeepalivedSettings.VALIDATE_SCOPE,
                KeepalivedSettings.VALIDATE_AUDIT_INTERVAL)) {
            assertTrue(cfg.containsKey(key), key + " is not documented in " + ConfigDocumentation.cfgFile());
        }
        Map<String, String> vars = Map.of("karaf.data", "/opt/karaf/data");
        KeepalivedSettings documented = KeepalivedSettings.parse(cfg, vars);
        assertEquals(List.of(), documented.errors());
        assertEquals(KeepalivedSettings.parse(Map.of(), vars), documented);
    }
}
