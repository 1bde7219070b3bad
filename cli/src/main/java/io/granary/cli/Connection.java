package io.granary.cli;

import io.granary.client.StorageClient;
import picocli.CommandLine.Option;

/** How a client command reaches the Storage API: kbc's flags, then the component and kbc environments. */
public final class Connection {

    @Option(names = {"-H", "--storage-api-host"}, description = "Storage API URL (env KBC_STORAGE_API_HOST or KBC_URL).")
    String host;

    @Option(names = {"-t", "--storage-api-token"}, description = "Storage API token (env KBC_STORAGE_API_TOKEN or KBC_TOKEN).")
    String token;

    @Option(names = "--output", description = "Output format: text or json (json prints the API objects).",
            defaultValue = "text")
    String output;

    @Option(names = {"-q", "--quiet"}, description = "No progress output.")
    boolean quiet;

    StorageClient client() {
        String h = first(host, System.getenv("KBC_STORAGE_API_HOST"), System.getenv("KBC_URL"));
        String t = first(token, System.getenv("KBC_STORAGE_API_TOKEN"), System.getenv("KBC_TOKEN"));
        if (h == null) {
            throw new UsageException("No Storage API host: pass --storage-api-host or set KBC_STORAGE_API_HOST.");
        }
        if (t == null) {
            throw new UsageException("No Storage API token: pass --storage-api-token or set KBC_STORAGE_API_TOKEN.");
        }
        if (!h.startsWith("http://") && !h.startsWith("https://")) {
            h = "https://" + h;
        }
        return StorageClient.create(h, t);
    }

    boolean json() {
        if (!output.equals("json") && !output.equals("text")) {
            throw new UsageException("--output must be text or json, not \"" + output + "\".");
        }
        return output.equals("json");
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    /** A mistake in how the command was called: exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
