package org.stratoslvs.render;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The operator-facing descriptions of PID {@code org.stratoslvs}: the commented .cfg file the feature installs and
 * the metatype the web console shows. Read by tests in several modules to keep both in step with the code.
 */
public final class ConfigDocumentation {

    private static final Pattern KEY_LINE = Pattern.compile("^([a-z0-9.]+)\\s*=\\s*(.*)$");

    private ConfigDocumentation() {
    }

    /** The .cfg file, found from any module's directory. */
    public static Path cfgFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("features/src/main/cfg/org.stratoslvs.cfg");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("features/src/main/cfg/org.stratoslvs.cfg not found above " + Path.of("").toAbsolutePath());
    }

    /** Key → default value of every uncommented {@code key = value} line of the .cfg file, in file order. */
    public static Map<String, String> cfgDefaults() throws IOException {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : Files.readAllLines(cfgFile())) {
            Matcher m = KEY_LINE.matcher(line);
            if (m.matches() && keys.put(m.group(1), m.group(2).trim()) != null) {
                throw new IllegalStateException("key " + m.group(1) + " appears twice in " + cfgFile());
            }
        }
        return keys;
    }

    /** Attribute id → default ("" when none) of the metatype shipped in the render bundle. */
    public static Map<String, String> metatypeDefaults() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        try (InputStream in = ConfigDocumentation.class.getResourceAsStream("/OSGI-INF/metatype/org.stratoslvs.xml")) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            NodeList ads = factory.newDocumentBuilder().parse(in).getElementsByTagName("AD");
            for (int i = 0; i < ads.getLength(); i++) {
                Element ad = (Element) ads.item(i);
                keys.put(ad.getAttribute("id"), ad.getAttribute("default"));
            }
        }
        return keys;
    }
}
