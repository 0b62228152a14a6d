package io.scarcity.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package structure docs/architecture.md describes, checked on the compiled main classes: no cycle
 * between the runtime's packages, the api on the JDK alone, and the round protocol (package
 * {@code federation}) reachable by any engine because it depends on no engine, no run wiring and no CLI.
 */
class ArchitectureTest {
    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.scarcity");
    }

    @Test
    void theRuntimesPackagesHaveNoCycle() {
        slices().matching("io.scarcity.runtime.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void theApiDependsOnTheJdkAlone() {
        noClasses().that().resideInAPackage("io.scarcity.api..")
                .should().dependOnClassesThat().resideOutsideOfPackages("java..", "io.scarcity.api..")
                .check(main);
    }

    @Test
    void theRoundProtocolDependsOnNoEngine() {
        noClasses().that().resideInAPackage("io.scarcity.runtime.federation..")
                .should().dependOnClassesThat().resideInAnyPackage("io.scarcity.runtime.engine..",
                        "io.scarcity.runtime.run..", "io.scarcity.runtime.cli..", "io.scarcity.runtime.report..",
                        "io.scarcity.runtime.bench..", "io.scarcity.runtime.data..")
                .check(main);
    }
}
