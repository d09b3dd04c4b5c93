package org.stratoslvs.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Every key the renderer reads is documented, with the same default, in the .cfg file operators edit and in the
 * metatype the web console shows; and those two describe the same keys.
 */
class ConfigDocumentationTest {

    @Test
    void cfgFileAndMetatypeDescribeTheSameKeysWithTheSameDefaults() throws Exception {
        Map<String, String> cfg = ConfigDocumentation.cfgDefaults();
        Map<String, String> metatype = ConfigDocumentation.metatypeDefaults();
        assertEquals(List.copyOf(cfg.keySet()), List.copyOf(metatype.keySet()));
        for (Map.Entry<String, String> e : cfg.entrySet()) {
            String expected = e.getKey().endsWith(".password") || e.getKey().endsWith(".pass") ? "" : e.getValue();
            assertEquals(expected, metatype.get(e.getKey()), "default of " + e.getKey());
        }
    }

    @Test
    void everyRendererKeyIsDocumentedWithItsDefault() throws Exception {
        Map<String, String> cfg = ConfigDocumentation.cfgDefaults();
        List<String> problems = new ArrayList<>();
        for (RenderSettings.Key key : RenderSettings.keys()) {
            if (!cfg.containsKey(key.name())) {
                problems.add(key.name() + " is not in the .cfg file");
            } else if (!cfg.get(key.name()).equals(key.defaultValue())) {
                problems.add(key.name() + ": .cfg says \"" + cfg.get(key.name()) + "\", the renderer's default is \""
                        + key.defaultValue() + "\"");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
