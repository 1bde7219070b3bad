package io.granary.postgres;

/**
 * How to reach the PostgreSQL database shared by every node: a JDBC URL
 * ({@code jdbc:postgresql://host:5432/granary}), a user, a password (never logged) and the size of
 * this node's connection pool.
 */
public record PostgresConfig(String url, String user, String password, int poolSize) {

    public PostgresConfig {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("The PostgreSQL URL must start with jdbc:postgresql: (got "
                    + (url == null ? "nothing" : url) + ")");
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("The PostgreSQL pool size must be at least 1");
        }
    }

    @Override
    public String toString() {
        return "PostgresConfig[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
    }
}
