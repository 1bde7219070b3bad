package io.granary.runner;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the staging tests share: the tools real components need, and tables in and out of Storage. */
final class Components {

    private Components() {
    }

    /**
     * Fails (never skips) when a tool a component of the test needs is not there: {@code command} must exit 0.
     *
     * @param install how to get it, for the message
     */
    static void require(String install, String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("This test runs a real component that needs `" + String.join(" ", command) + "` to work (" + install
                        + "; .ci/run installs it). It printed: " + out);
            }
        } catch (IOException e) {
            fail("This test runs a real component that needs " + command[0] + " (" + install + "; .ci/run installs it): "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted");
        }
    }

    /** python3 with boto3, as a component on S3 staging uses it. */
    static void requireBoto3() {
        require("apt-get install -y python3-boto3", "python3", "-c", "import boto3");
    }

    /** Creates {@code in.c-<bucket>.<name>} from {@code csv} (the bucket if missing). */
    static void table(StorageClient client, String bucket, String name, String csv, List<String> pk) throws IOException {
        try {
            client.getBucket("in.c-" + bucket);
        } catch (StorageApiException e) {
            client.createBucket(bucket, "in", null);
        }
        Path f = Files.createTempFile("src", ".csv");
        try {
            Files.writeString(f, csv);
            client.createTable("in.c-" + bucket, name, f, TableCreateOptions.defaults().primaryKey(pk));
        } finally {
            Files.delete(f);
        }
    }

    /** A table's rows as CSV-ish lines (values joined by {@code |}), sorted, with its columns first. */
    static List<String> content(StorageClient client, String tableId) {
        List<String> rows = new ArrayList<>();
        for (JsonNode row : client.previewTable(tableId, 1000).path("rows")) {
            List<String> values = new ArrayList<>();
            row.forEach(cell -> values.add(cell.path("value").asText()));
            rows.add(String.join("|", values));
        }
        Collections.sort(rows);
        List<String> out = new ArrayList<>();
        out.add(String.join("|", Json.strings(client.getTable(tableId).get("columns"))));
        out.addAll(rows);
        return out;
    }

    static boolean exists(StorageClient client, String tableId) {
        try {
            client.getTable(tableId);
            return true;
        } catch (StorageApiException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }
}
