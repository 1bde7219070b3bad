package io.granary.cli;

import io.granary.trino.LocalTrino;
import io.granary.trino.TrinoDistribution;
import io.granary.trino.TrinoJava;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code granary trino}: a local single-node Trino in the foreground, for development and tests. */
@Command(name = "trino", mixinStandardHelpOptions = true,
        description = {"Run a local single-node Trino (io.trino:trino-server, fetched through Maven) in the foreground. Ctrl-C stops it.",
            "It starts with no catalogs: a Granary server started with --backend trino --trino-url http://127.0.0.1:<port>"
                + " creates the Iceberg and Hive catalogs it needs (CREATE CATALOG). Trino needs Java 24+; Granary finds one"
                + " (--java, GRANARY_TRINO_JAVA, JAVA_HOME, /usr/lib/jvm) or says what is missing.",
            "Without --security-dir it has no authentication: it listens on 127.0.0.1 unless --host says otherwise. With"
                + " --security-dir it takes password logins over HTTPS (--https-port, a self-signed certificate made at"
                + " start): user granary with GRANARY_TRINO_PASSWORD, and the workspace users Granary keeps in that"
                + " directory (docs/workspaces.md)."})
public final class TrinoCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:GRANARY_TRINO_PORT:-8081}", description = "HTTP port (env GRANARY_TRINO_PORT; default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "${env:GRANARY_TRINO_HOST:-127.0.0.1}", description = "Address to listen on (env GRANARY_TRINO_HOST; default ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--data-dir", defaultValue = "${env:GRANARY_TRINO_DATA_DIR:-./granary-trino}", description = "Configuration, catalogs created at run time, node data and trino.log (env GRANARY_TRINO_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--java", defaultValue = "${env:GRANARY_TRINO_JAVA}", description = "A JDK 24+ home (or its bin/java) to run Trino with (env GRANARY_TRINO_JAVA; default: JAVA_HOME if 24+, else the newest under /usr/lib/jvm).")
    String java;

    @Option(names = "--heap", defaultValue = "${env:GRANARY_TRINO_HEAP:-2048}", description = "Trino's Java heap in MB; a query may use half (env GRANARY_TRINO_HEAP; default ${DEFAULT-VALUE}).")
    int heapMb;

    @Option(names = "--security-dir", defaultValue = "${env:GRANARY_TRINO_SECURITY_DIR}", description = "Password logins: the directory of the password file and access rules Granary maintains (give the server the same --trino-security-dir); needs GRANARY_TRINO_PASSWORD (env GRANARY_TRINO_SECURITY_DIR).")
    Path securityDir;

    @Option(names = "--https-port", defaultValue = "${env:GRANARY_TRINO_HTTPS_PORT:-8443}", description = "HTTPS port with --security-dir (env GRANARY_TRINO_HTTPS_PORT; default ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--cache-dir", defaultValue = "${env:GRANARY_TRINO_CACHE}", description = "Where the server package is unpacked once (env GRANARY_TRINO_CACHE; default ~/.cache/granary).")
    Path cacheDir;

    @Override
    public Integer call() throws Exception {
        TrinoJava.Found found;
        try {
            found = TrinoJava.find(java, System.getenv());
        } catch (TrinoJava.NotFound e) {
            throw new Connection.UsageException(e.getMessage());
        }
        if (port < 1 || port > 65535) {
            throw new Connection.UsageException("--port must be between 1 and 65535 (got " + port + ")");
        }
        if (heapMb < 1024) {
            throw new Connection.UsageException("--heap must be at least 1024 MB (got " + heapMb + ")");
        }
        LocalTrino.Security security = null;
        if (securityDir != null) {
            String password = System.getenv("GRANARY_TRINO_PASSWORD");
            if (password == null || password.isEmpty()) {
                throw new Connection.UsageException("--security-dir needs the password of user " + LocalTrino.GRANARY_USER
                        + " in the environment variable GRANARY_TRINO_PASSWORD (the server reads the same variable).");
            }
            if (httpsPort < 1 || httpsPort > 65535 || httpsPort == port) {
                throw new Connection.UsageException("--https-port must be between 1 and 65535 and differ from --port (got "
                        + httpsPort + ")");
            }
            security = new LocalTrino.Security(securityDir, httpsPort, password);
        }
        Path home = TrinoDistribution.home(cacheDir, System.getenv(), line -> System.err.println("granary: " + line));
        System.err.println("granary: starting Trino " + TrinoDistribution.version() + " on Java " + found.version() + " ("
                + found.executable() + ") …");
        LocalTrino trino = LocalTrino.start(new LocalTrino.Settings(home, found, dataDir, host, port, heapMb, security),
                Duration.ofMinutes(5));
        Thread hook = new Thread(trino::stop, "granary-trino-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        System.err.println();
        System.err.printf("Trino %s is running (started in %.1f s, pid %d).%n", TrinoDistribution.version(), trino.startSeconds(),
                trino.pid());
        System.err.println("  URL:      " + trino.url() + "   (JDBC " + trino.jdbcUrl() + ", user " + LocalTrino.GRANARY_USER + ")");
        System.err.println("  Data dir: " + dataDir.toAbsolutePath().normalize() + "   (log: " + trino.log() + ")");
        if (security != null) {
            System.err.println("  Granary:  GRANARY_TRINO_PASSWORD=… ./granary server --backend trino --trino-url " + trino.url()
                    + " --trino-tls-cert " + trino.certificate() + " --trino-security-dir "
                    + securityDir.toAbsolutePath().normalize() + " …");
        } else {
            System.err.println("  Granary:  ./granary server --backend trino --trino-url " + trino.url() + " …");
        }
        System.err.println("Press Ctrl-C to stop.");
        int code = trino.waitFor();
        // a Ctrl-C stops Trino through the hook; here Trino ended by itself
        Runtime.getRuntime().removeShutdownHook(hook);
        System.err.println("granary: Trino exited with code " + code + ". " + trino.lastLines(10));
        return 1;
    }
}
