package io.granary.postgres;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import java.util.List;

/**
 * The flags of the PostgreSQL catalog and table backend (they share one database): {@code --postgres-url},
 * {@code --postgres-user}, {@code --postgres-password} and their {@code GRANARY_POSTGRES_*} variables.
 */
public final class PostgresSettings {

    public static final String URL = "postgres-url";
    public static final String USER = "postgres-user";
    public static final String PASSWORD = "postgres-password";

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

    /** Settings naming {@code config}'s database (for embedding and tests). */
    public static Settings of(PostgresConfig config) {
        return Settings.empty().with(URL, config.url()).with(USER, config.user()).with(PASSWORD, config.password());
    }
}
