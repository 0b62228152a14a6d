package io.scarcity.bench.moa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MOA is used as its jar alone: the libraries MOA declares for its GUI, other learners and deep learning
 * are excluded in benchmarks/pom.xml. If an exclusion is lost, this fails; if one of the three learners
 * needed an excluded library, MoaExpertTest would fail with a NoClassDefFoundError.
 */
class MoaClassPathTest {
    @Test
    void moasOptionalLibrariesAreNotOnTheClassPath() {
        List<String> excluded = List.of(
                "ai.djl.Model",                                // DJL
                "ai.djl.pytorch.engine.PtEngine",              // DJL pytorch engine
                "meka.core.MLUtils",                           // meka
                "weka.core.Instances",                         // weka-dev
                "org.jfree.chart.JFreeChart",                  // jfreechart
                "org.math.plot.Plot2DPanel",                   // JMathPlot
                "org.apache.log4j.Logger",                     // log4j 1.2
                "org.slf4j.impl.Log4jLoggerAdapter",           // slf4j-log4j12
                "com.google.common.collect.ImmutableList",     // guava
                "com.google.gson.Gson",                        // gson
                "umontreal.ssj.rng.MRG32k3a",                  // ssj
                "scala.Option",                                // scala (via meka)
                "sizeof.agent.SizeOfAgent");                   // sizeofag (useless without -javaagent)
        ClassLoader loader = getClass().getClassLoader();
        for (String name : excluded) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name, false, loader), name);
        }
    }

    @Test
    void moaItselfIsTheReleaseThisModulePins() throws Exception {
        Class<?> tree = Class.forName("moa.classifiers.trees.HoeffdingTree");
        String jar = tree.getProtectionDomain().getCodeSource().getLocation().getPath();
        assertEquals(true, jar.endsWith("moa-2024.07.0.jar"), jar);
    }
}
