package io.modeld;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules between packages that each package-info states, checked on the compiled classes: the front
 * doors never import each other, the shared plumbing none of them, the inference core no HTTP, and the
 * feature packages only what their package-info allows.
 */
class ArchitectureTest {

    private static final List<String> DOORS = List.of("pieces", "ollama", "openai", "anthropic", "workbench");
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.modeld");
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }

    @Test
    void no_door_imports_another() {
        for (String door : DOORS) {
            String[] others = DOORS.stream().filter(d -> !d.equals(door)).map(d -> "io.modeld.api." + d + "..")
                    .toArray(String[]::new);
            check(noClasses().that().resideInAPackage("io.modeld.api." + door + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("each door is parse, one call into the services, shape; what two doors share is plumbing in api"));
        }
    }

    @Test
    void the_shared_plumbing_imports_no_door_but_the_server_that_wires_them() {
        check(noClasses().that().resideInAnyPackage("io.modeld.api", "io.modeld.api.schema")
                .and().doNotHaveSimpleName("ApiServer")
                .should().dependOnClassesThat().resideInAnyPackage(DOORS.stream().map(d -> "io.modeld.api." + d + "..")
                        .toArray(String[]::new)));
    }

    @Test
    void the_inference_core_and_the_scheduler_know_no_http() {
        check(noClasses().that().resideInAnyPackage("io.modeld.inference..", "io.modeld.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "io.modeld.api..")
                .because("every door calls the same core, whatever it speaks"));
    }

    @Test
    void nothing_below_the_doors_depends_on_them_or_on_the_cli() {
        check(noClasses().that().resideInAnyPackage("io.modeld.catalog..", "io.modeld.download..", "io.modeld.registry..",
                        "io.modeld.runtime..", "io.modeld.inference..", "io.modeld.engine..", "io.modeld.gguf..",
                        "io.modeld.library..", "io.modeld.config..", "io.modeld.copilot..", "io.modeld.remote..")
                .should().dependOnClassesThat().resideInAnyPackage("io.modeld.api..", "io.modeld.cli.."));
    }

    @Test
    void the_feature_packages_depend_only_on_what_their_package_info_allows() {
        allowed("io.modeld.config..", "io.modeld.config..");
        allowed("io.modeld.gguf..", "io.modeld.gguf..");
        allowed("io.modeld.engine..", "io.modeld.engine..");
        allowed("io.modeld.registry..", "io.modeld.registry..", "io.modeld.config..");
        allowed("io.modeld.catalog..", "io.modeld.catalog..", "io.modeld.gguf..", "io.modeld.config..",
                "io.modeld.registry..");
        allowed("io.modeld.download..", "io.modeld.download..", "io.modeld.catalog..", "io.modeld.registry..",
                "io.modeld.gguf..", "io.modeld.config..");
        allowed("io.modeld.library..", "io.modeld.library..", "io.modeld.catalog..", "io.modeld.gguf..",
                "io.modeld.config..");
        allowed("io.modeld.runtime..", "io.modeld.runtime..", "io.modeld.catalog..", "io.modeld.gguf..",
                "io.modeld.config..", "io.modeld.engine..");
        allowed("io.modeld.remote..", "io.modeld.remote..", "io.modeld.catalog..", "io.modeld.config..",
                "io.modeld.runtime..", "io.modeld.engine..", "io.modeld.gguf..");
        allowed("io.modeld.inference..", "io.modeld.inference..", "io.modeld.runtime..", "io.modeld.catalog..",
                "io.modeld.engine..", "io.modeld.gguf..", "io.modeld.remote..");
        allowed("io.modeld.copilot..", "io.modeld.copilot..", "io.modeld.inference..", "io.modeld.runtime..",
                "io.modeld.catalog..", "io.modeld.engine..", "io.modeld.gguf..");
    }

    /** Classes in {@code pkg} use nothing of modeld but {@code allowed} and the root's shared Json and ModeldException. */
    private static void allowed(String pkg, String... allowed) {
        String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(allowed), java.util.stream.Stream.of(""))
                .filter(s -> !s.isEmpty()).toArray(String[]::new);
        check(noClasses().that().resideInAPackage(pkg)
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "modeld classes outside " + String.join(", ", all), c -> c.getPackageName().startsWith("io.modeld")
                                && !c.getPackageName().equals("io.modeld") && java.util.Arrays.stream(all).noneMatch(
                                a -> c.getPackageName().equals(a.replace("..", ""))
                                        || c.getPackageName().startsWith(a.replace("..", ".")))))
                .because("package-info of " + pkg + " says so"));
    }
}
