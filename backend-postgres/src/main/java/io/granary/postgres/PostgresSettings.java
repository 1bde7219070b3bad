package io.granary.postgres;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import io.granary.core.port.WorkspaceBackend;
import java.util.List;
import java.util.Properties;

/**
 * The flags of the PostgreSQL catalog and table backend (they share one database): {@code --postgres-url},
 * {@code --postgres-user}, {@code --postgres-password} and their {@code GRANARY_POSTGRES_*} variables.
 */
public final class PostgresSettings {

    public static final String URL = "postgres-url";
    public static final String USER = "postgres-user";
    public static final String PASSWORD = "postgres-password";
    public static final String WORKSPACE_PORT = "workspace-port";
    /** The port workspace connections name, when clients reach PostgreSQL on another port than Granary does. */
    public static final Setting WORKSPACE_PORT_SETTING = Setting.of(WORKSPACE_PORT, "Port that PostgreSQL workspace"
            + " connections name (default: the port of --postgres-url)");

    /** Where clients connect to a workspace. */
    public record Address(String host, String port) {
    }

    /** What {@code granary server} offers for PostgreSQL. */
    public static final List<Setting> ALL = List.of(
            Setting.of(URL, "JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://db:5432/granary"),
            new Setting(USER, "PostgreSQL user", "granary", false),
            new Setting(PASSWORD, "PostgreSQL password; prefer the env GRANARY_POSTGRES_PASSWORD, which other users cannot"
                    + " see in the process list.", null, true));

    private PostgresSettings() {
    }

    /** The connection these settings name, with a pool of {@code poolSize}; refuses a missing or malformed URL. */
    public static PostgresConfig config(Settings settings, int poolSize) {
        String url = settings.get(URL);
        if (url == null) {
            throw new IllegalArgumentException("--catalog postgres and --backend postgres need --postgres-url.");
        }
        return new PostgresConfig(url.strip(), settings.get(USER, "granary"), settings.get(PASSWORD, ""),
                Math.max(2, poolSize));
    }

    /**
     * Where a client on another machine reaches the database: {@code --workspace-host}, else the URL's host unless
     * it is a loopback name (this machine's, useless elsewhere), else the node's public host; {@code --workspace-port},
     * else the URL's port.
     */
    public static Address workspaceAddress(Settings settings, String url) {
        Properties parsed = org.postgresql.Driver.parseURL(url, new Properties());
        String urlHost = parsed == null ? "" : parsed.getProperty("PGHOST", "localhost").split(",")[0].strip();
        String urlPort = parsed == null ? "5432" : parsed.getProperty("PGPORT", "5432").split(",")[0].strip();
        String host = settings.get(WorkspaceBackend.HOST.name());
        if (host == null) {
            boolean loopback = urlHost.isEmpty() || urlHost.equals("localhost") || urlHost.startsWith("127.")
                    || urlHost.equals("::1") || urlHost.equals("[::1]") || urlHost.startsWith("/");
            host = loopback ? settings.get(WorkspaceBackend.PUBLIC_HOST, "localhost") : urlHost;
        }
        return new Address(host.strip(), settings.get(WORKSPACE_PORT, urlPort).strip());
    }

    /** Settings naming {@code config}'s database (for embedding and tests). */
    public static Settings of(PostgresConfig config) {
        return Settings.empty().with(URL, config.url()).with(USER, config.user()).with(PASSWORD, config.password());
    }
}
