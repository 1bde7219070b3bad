package io.granary.trino;

import io.granary.core.port.Setting;
import io.granary.core.port.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The flags of {@code --backend trino} and their {@code GRANARY_*} variables. The PostgreSQL ones are the
 * same settings the PostgreSQL catalog reads ({@code --postgres-url}, …): the Iceberg JDBC catalog lives in
 * Granary's database.
 */
public final class TrinoSettings {

    public static final String URL = "trino-url";
    public static final String USER = "trino-user";
    public static final String PASSWORD = "trino-password";
    public static final String CATALOG = "trino-catalog";
    public static final String S3_ENDPOINT = "trino-s3-endpoint";
    public static final String POSTGRES_URL_FOR_TRINO = "trino-postgres-url";
    public static final String MAINTENANCE = "trino-maintenance-interval";
    public static final String SECURITY_DIR = "trino-security-dir";
    public static final String TLS_CERT = "trino-tls-cert";
    static final String POSTGRES_URL = "postgres-url";
    static final String POSTGRES_USER = "postgres-user";
    static final String POSTGRES_PASSWORD = "postgres-password";

    /** What {@code granary server} offers for Trino. */
    public static final List<Setting> ALL = List.of(
            Setting.of(URL, "Trino coordinator the tables live on with --backend trino, e.g. http://127.0.0.1:8081"
                    + " (granary trino) or https://trino.example.com"),
            new Setting(USER, "Trino user Granary runs its queries as", LocalTrino.GRANARY_USER, false),
            new Setting(PASSWORD, "Trino password (needs an https --trino-url); prefer the env GRANARY_TRINO_PASSWORD,"
                    + " which other users cannot see in the process list.", null, true),
            new Setting(CATALOG, "Trino catalog of Granary's Iceberg tables; <name>_staging is the Hive catalog of its"
                    + " transient tables. Granary creates both unless they exist (docs/scale-out.md)", "granary", false),
            Setting.of(S3_ENDPOINT, "S3 endpoint as Trino reaches it, when that differs from Granary's (default: the one"
                    + " Granary uses)"),
            Setting.of(POSTGRES_URL_FOR_TRINO, "JDBC URL of Granary's PostgreSQL as Trino reaches it, for the Iceberg"
                    + " catalog, when that differs from --postgres-url"),
            Setting.of(SECURITY_DIR, "Directory shared with Trino where Granary keeps the workspace users: password.db"
                    + " (Trino's file password authenticator) and rules.json (its file-based access control); workspaces on"
                    + " Trino need it and an https --trino-url (docs/workspaces.md)"),
            Setting.of(TLS_CERT, "PEM certificate to trust for an https --trino-url whose certificate no public CA signed,"
                    + " e.g. <granary trino --data-dir>/etc/trino.pem"),
            new Setting(MAINTENANCE, "How often each Trino table is compacted and its old snapshots expired, e.g. 30m"
                    + " or 6h; 0 turns it off", "1h", false),
            Setting.of(POSTGRES_URL, "JDBC URL of the PostgreSQL database, e.g. jdbc:postgresql://db:5432/granary"),
            new Setting(POSTGRES_USER, "PostgreSQL user", "granary", false),
            new Setting(POSTGRES_PASSWORD, "PostgreSQL password; prefer the env GRANARY_POSTGRES_PASSWORD, which other"
                    + " users cannot see in the process list.", null, true));

    /** The resolved settings. {@code s3Endpoint} and {@code trinoPostgresUrl} are null when they are Granary's own. */
    public record Config(URI url, String user, String password, String catalog, URI s3Endpoint, String postgresUrl,
            String postgresUser, String postgresPassword, String trinoPostgresUrl, Duration maintenanceInterval,
            Path securityDir, Path tlsCert) {

        /** The Hive catalog of transient tables. */
        public String stagingCatalog() {
            return catalog + "_staging";
        }

        /** The port of {@link #url}. */
        public int port() {
            return url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
        }

        /** {@code jdbc:trino://host:port}. */
        public String jdbcUrl() {
            int port = url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80;
            return "jdbc:trino://" + url.getHost() + ":" + port;
        }

        public boolean https() {
            return "https".equals(url.getScheme());
        }

        /** The PostgreSQL URL as Trino's Iceberg catalog connects to it. */
        public String icebergPostgresUrl() {
            return trinoPostgresUrl != null ? trinoPostgresUrl : postgresUrl;
        }

        @Override
        public String toString() {
            return "TrinoSettings.Config[url=" + url + ", user=" + user + ", catalog=" + catalog + ", postgresUrl=" + postgresUrl
                    + "]";
        }
    }

    private TrinoSettings() {
    }

    /** Reads and checks the settings; {@link IllegalArgumentException} names the flag that is wrong. */
    public static Config config(Settings s) {
        String url = s.get(URL);
        if (url == null) {
            throw new IllegalArgumentException("--backend trino needs --trino-url, e.g. http://127.0.0.1:8081 (start a local"
                    + " one with ./granary trino).");
        }
        URI trino = httpUrl(URL, url);
        String password = s.get(PASSWORD);
        if (password != null && !"https".equals(trino.getScheme())) {
            throw new IllegalArgumentException("--trino-password needs an https --trino-url: Trino accepts passwords only"
                    + " over TLS.");
        }
        String catalog = s.get(CATALOG, "granary").strip();
        if (!catalog.matches("[a-z][a-z0-9_]{0,40}")) {
            throw new IllegalArgumentException("--trino-catalog must be lower-case letters, digits and _ (starting with a"
                    + " letter, at most 41 characters): " + catalog);
        }
        String endpoint = s.get(S3_ENDPOINT);
        String postgres = s.get(POSTGRES_URL);
        if (postgres == null) {
            throw new IllegalArgumentException("--backend trino needs --postgres-url: the Iceberg catalog of the Trino tables"
                    + " is kept in Granary's PostgreSQL database.");
        }
        String trinoPostgres = s.get(POSTGRES_URL_FOR_TRINO);
        for (String jdbc : trinoPostgres == null ? List.of(postgres) : List.of(postgres, trinoPostgres)) {
            if (!jdbc.strip().startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("A PostgreSQL URL starts with jdbc:postgresql: (got " + jdbc + ").");
            }
        }
        String security = s.get(SECURITY_DIR);
        if (security != null && (password == null || !"https".equals(trino.getScheme()))) {
            throw new IllegalArgumentException("--trino-security-dir needs an https --trino-url and --trino-password: with"
                    + " password logins for workspaces, Trino takes Granary's queries only with a password over TLS.");
        }
        String cert = s.get(TLS_CERT);
        if (cert != null && !Files.isRegularFile(Path.of(cert.strip()))) {
            throw new IllegalArgumentException("--trino-tls-cert is not a file: " + cert);
        }
        return new Config(trino, s.get(USER, LocalTrino.GRANARY_USER), password, catalog,
                endpoint == null ? null : httpUrl(S3_ENDPOINT, endpoint), postgres.strip(), s.get(POSTGRES_USER, "granary"),
                s.get(POSTGRES_PASSWORD, ""), trinoPostgres == null ? null : trinoPostgres.strip(),
                interval(s.get(MAINTENANCE, "1h")), security == null ? null : Path.of(security.strip()),
                cert == null ? null : Path.of(cert.strip()));
    }

    private static URI httpUrl(String flag, String value) {
        URI uri;
        try {
            uri = URI.create(value.strip().replaceAll("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + flag + " is not a URL: " + value);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("--" + flag + " must be an http:// or https:// URL with a host: " + value);
        }
        return uri;
    }

    /** {@code 30m}, {@code 6h}, {@code 1d}, {@code 90s} or {@code 0}. */
    static Duration interval(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        if (t.matches("\\d+[smhd]")) {
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        throw new IllegalArgumentException("--" + MAINTENANCE + " takes a duration such as 30m, 6h or 1d, or 0 (got "
                + text + ").");
    }
}
