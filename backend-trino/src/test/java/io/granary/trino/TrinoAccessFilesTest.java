package io.granary.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.granary.core.port.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security directory without a Trino: what the files hold after each change, and the settings that refuse a
 * workspace setup Trino would not take. {@link TrinoWorkspaceBackendTest} proves on a real Trino that it reads them.
 */
class TrinoAccessFilesTest {

    @TempDir
    Path dir;

    @Test
    void changesKeepOtherUsersLinesAndRegenerateTheRules() throws Exception {
        Files.writeString(dir.resolve(TrinoAccessFiles.PASSWORDS), "operator:$2y$10$abcdefghijklmnopqrstuv\n");
        TrinoAccessFiles files = new TrinoAccessFiles(dir, "granary");
        files.seed("granary-secret");
        files.put("g_ws_1", "first-secret", new TrinoAccessFiles.Grant("g", "workspace_1", false));
        files.put("g_ws_2", "second-secret", new TrinoAccessFiles.Grant("g", "workspace_2", true));
        assertThat(files.setPassword("g_ws_1", "renewed-secret")).isTrue();
        assertThat(files.setPassword("g_ws_9", "nobody")).isFalse();
        files.remove("g_ws_2");

        String passwords = Files.readString(dir.resolve(TrinoAccessFiles.PASSWORDS));
        assertThat(passwords.lines()).hasSize(3).anySatisfy(l -> assertThat(l).isEqualTo("operator:$2y$10$abcdefghijklmnopqrstuv"))
                .anySatisfy(l -> assertThat(l).matches("granary:10000:[0-9a-f]{32}:[0-9a-f]{64}"))
                .anySatisfy(l -> assertThat(l).matches("g_ws_1:10000:[0-9a-f]{32}:[0-9a-f]{64}"));
        assertThat(passwords).doesNotContain("secret").doesNotContain("g_ws_2");
        String rules = Files.readString(dir.resolve(TrinoAccessFiles.RULES));
        assertThat(rules).contains("\"workspace_1\"").doesNotContain("g_ws_2").doesNotContain("workspace_2")
                .contains("\"new_user\" : \"g_ws_1\"");
        assertThat(Files.getPosixFilePermissions(dir.resolve(TrinoAccessFiles.PASSWORDS)))
                .isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
        assertThat(files.has("g_ws_1")).isTrue();
        assertThat(files.has("g_ws_2")).isFalse();
    }

    @Test
    void aWorkspaceSetupTrinoCannotTakeIsRefusedNamingTheFlag() {
        Settings base = Settings.empty().with(TrinoSettings.POSTGRES_URL, "jdbc:postgresql://db/granary")
                .with(TrinoSettings.SECURITY_DIR, dir.toString());
        assertThatThrownBy(() -> TrinoSettings.config(base.with(TrinoSettings.URL, "http://trino:8080")
                .with(TrinoSettings.PASSWORD, "x")))
                .hasMessage("--trino-password needs an https --trino-url: Trino accepts passwords only over TLS.");
        assertThatThrownBy(() -> TrinoSettings.config(base.with(TrinoSettings.URL, "https://trino:8443")))
                .hasMessage("--trino-security-dir needs an https --trino-url and --trino-password: with password logins"
                        + " for workspaces, Trino takes Granary's queries only with a password over TLS.");
        assertThatThrownBy(() -> TrinoSettings.config(base.with(TrinoSettings.URL, "https://trino:8443")
                .with(TrinoSettings.PASSWORD, "x").with(TrinoSettings.TLS_CERT, dir.resolve("missing.pem").toString())))
                .hasMessage("--trino-tls-cert is not a file: " + dir.resolve("missing.pem"));
        TrinoSettings.Config ok = TrinoSettings.config(base.with(TrinoSettings.URL, "https://trino:8443")
                .with(TrinoSettings.PASSWORD, "x"));
        assertThat(ok.securityDir()).isEqualTo(dir);
        assertThat(ok.port()).isEqualTo(8443);
    }
}
