package org.stratoslvs.itests;

import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.replaceConfigurationFile;

import java.io.File;
import java.net.URI;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A stock Apache Karaf 4.4 (not our assembly): our features repository is added and the features installed
 * through FeaturesService (what feature:repo-add and feature:install call), and the extension works against the
 * broker it is pointed at.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class StockKarafIT extends LvsKarafTestSupport {

    @Inject
    private FeaturesService features;

    @Configuration
    public Option[] config() {
        return baseOptions();
    }

    @Override
    protected MavenArtifactUrlReference distribution() {
        return maven().groupId("org.apache.karaf").artifactId("apache-karaf").type("tar.gz")
                .version(System.getProperty("karaf.version"));
    }

    @Override
    protected List<Option> extraOptions() {
        return List.of(
                replaceConfigurationFile("etc/org.apache.karaf.features.xml",
                        new File("src/test/resources/stock-karaf/org.apache.karaf.features.xml")),
                // Written before the features are installed: their configfiles never overwrite an operator's file.
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "lvs.service.virtualip.set", VIP_MAPPING),
                editConfigurationFilePut("etc/org.stratoslvs.cfg", "keepalived.mode", "render-only"));
    }

    @Test
    public void featuresInstallFromOurRepositoryAndBalanceTheTopology() throws Exception {
        String repo = "mvn:org.stratoslvs/stratos-lvs-features/" + System.getProperty("itest.project.version")
                + "/xml/features";
        // What feature:repo-add and feature:install do.
        features.addRepository(URI.create(repo));
        features.installFeatures(new LinkedHashSet<>(List.of("stratos-lvs-broker", "stratos-lvs")),
                EnumSet.noneOf(FeaturesService.Option.class));
        assertTrue(features.isInstalled(features.getFeature("stratos-lvs")));
        assertTrue(features.isInstalled(features.getFeature("stratos-lvs-broker")));

        // The route connects once the broker feature's component is up.
        assertTrue("lvs:status never showed a connected broker",
                await(() -> statusContains("(connected)"), 60_000));
        publishFixture("0001-topology.CompleteTopologyEvent.json", "topology.CompleteTopologyEvent");
        assertTrue(await(() -> read(keepalivedConf()).contains("virtual_server 192.168.56.40 80"), 10_000));
        String conf = read(keepalivedConf());
        assertTrue(conf, conf.contains("real_server 10.10.0.11 80"));

        if (keepalivedAvailable()) {
            String check = keepalivedCheck(keepalivedConf());
            assertTrue("keepalived -t rejected the file:\n" + check + "\n" + conf, check.startsWith("0\n"));
        } else {
            failIfCi("keepalived -t cannot run (root, keepalived and a namespace are needed)");
        }
    }

    private boolean statusContains(String text) {
        try {
            return executeCommand("lvs:status").contains(text);
        } catch (Exception e) {
            return false; // the command appears with the shell bundle
        }
    }
}
