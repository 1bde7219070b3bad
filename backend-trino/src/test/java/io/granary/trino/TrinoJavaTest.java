package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrinoJavaTest {

    @TempDir
    Path jvm;

    @Test
    void theNewestJdk24PlusUnderTheJvmDirectoryIsChosen() throws IOException {
        jdk("java-17", "17.0.15");
        jdk("jdk-24", "24.0.2");
        Path jdk25 = jdk("temurin-25", "25.0.1");
        TrinoJava.Found found = TrinoJava.find(null, Map.of(), jvm);
        assertThat(found.version()).isEqualTo(25);
        assertThat(found.executable()).isEqualTo(jdk25.resolve("bin/java"));
    }

    @Test
    void javaHomeWinsWhenNewEnoughAndIsReportedWhenNot() throws IOException {
        Path jdk17 = jdk("java-17", "17.0.15");
        Path jdk24 = jdk("jdk-24", "24");
        jdk("temurin-25", "25.0.1");
        assertThat(TrinoJava.find(null, Map.of("JAVA_HOME", jdk24.toString()), jvm).version()).isEqualTo(24);
        assertThat(TrinoJava.find(null, Map.of("JAVA_HOME", jdk17.toString()), jvm).version()).isEqualTo(25);
    }

    @Test
    void withoutAJava24PlusTheMessageSaysWhatWasSeenAndWhatToDo() throws IOException {
        Path jdk17 = jdk("java-17", "17.0.15");
        assertThatThrownBy(() -> TrinoJava.find(null, Map.of("JAVA_HOME", jdk17.toString()), jvm))
                .isInstanceOf(TrinoJava.NotFound.class)
                .hasMessageStartingWith("No Java 24+ found to run Trino " + TrinoDistribution.version())
                .hasMessageContaining("JAVA_HOME=" + jdk17 + " (Java 17)")
                .hasMessageContaining(jdk17 + " (Java 17)")
                .hasMessageContaining("pass --java <jdk home> or set GRANARY_TRINO_JAVA");
    }

    @Test
    void anExplicitJavaMustBe24PlusWhateverElseIsThere() throws IOException {
        Path jdk17 = jdk("java-17", "17.0.15");
        jdk("temurin-25", "25.0.1");
        assertThatThrownBy(() -> TrinoJava.find(jdk17.toString(), Map.of(), jvm))
                .hasMessageStartingWith("--java " + jdk17 + " is Java 17; Trino " + TrinoDistribution.version()
                        + " needs Java 24 or newer.");
        assertThatThrownBy(() -> TrinoJava.find(null, Map.of("GRANARY_TRINO_JAVA", jdk17.resolve("bin/java").toString()), jvm))
                .hasMessageStartingWith("GRANARY_TRINO_JAVA " + jdk17.resolve("bin/java") + " is Java 17;");
    }

    @Test
    void theRealMachineHasATrinoJava() {
        // the machines (and CI) carry a Temurin 25 beside Java 17: the Trino tests depend on finding it
        assertThat(TrinoJava.find(null, Map.of()).version()).isGreaterThanOrEqualTo(TrinoJava.REQUIRED);
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = jvm.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\nexit 1\n");
        java.toFile().setExecutable(true);
        return home;
    }
}
