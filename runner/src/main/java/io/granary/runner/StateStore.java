package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Where the state of spec 1.4 lives between runs. Keboola keeps it on the configuration
 * ({@code PUT components/…/configs/…/state}); Granary's Storage API has no components/configurations, so the state
 * is a <b>permanent file in File Storage</b> tagged {@code granary-state}, {@code component:<id>},
 * {@code config:<id>}; the newest such file wins, older ones are deleted after a successful save. Reachable through
 * any Keboola-compatible Storage API with the plain file endpoints.
 */
public final class StateStore {

    public static final String TAG = "granary-state";
    private final StorageClient client;

    public StateStore(StorageClient client) {
        this.client = client;
    }

    private static List<String> tags(String componentId, String configId) {
        return List.of(TAG, "component:" + componentId, "config:" + configId);
    }

    /** The stored state object ({@code {component, storage}}), or {@code {}} when there is none. */
    public ObjectNode load(String componentId, String configId) {
        JsonNode newest = newest(componentId, configId);
        if (newest == null) {
            return Json.object();
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile("granary-state-", ".json");
            client.downloadFile(newest.get("id").asLong(), tmp);
            JsonNode state = Json.read(tmp);
            return state != null && state.isObject() ? (ObjectNode) state : Json.object();
        } catch (IOException e) {
            throw new ApplicationException("Cannot read the stored state (file " + newest.get("id") + "): " + e.getMessage(), e);
        } finally {
            delete(tmp);
        }
    }

    /** Stores a new state file, then removes the older ones. */
    public long save(String componentId, String configId, JsonNode state) {
        List<String> tags = tags(componentId, configId);
        Path tmp = null;
        try {
            tmp = Files.createTempFile("granary-state-", ".json");
            Files.writeString(tmp, Json.MAPPER.writeValueAsString(state));
            long id = client.uploadFile(tmp, FileUploadOptions.defaults().name("state.json").isPermanent(true).tags(tags));
            for (JsonNode f : matching(componentId, configId)) {
                if (f.get("id").asLong() != id) {
                    try {
                        client.deleteFile(f.get("id").asLong());
                    } catch (StorageApiException e) {
                        // an old state left behind is harmless: the newest wins
                    }
                }
            }
            return id;
        } catch (IOException e) {
            throw new ApplicationException("Cannot store the state: " + e.getMessage(), e);
        } finally {
            delete(tmp);
        }
    }

    private JsonNode newest(String componentId, String configId) {
        List<JsonNode> all = matching(componentId, configId);
        return all.stream().max(java.util.Comparator.comparingLong(f -> f.get("id").asLong())).orElse(null);
    }

    private List<JsonNode> matching(String componentId, String configId) {
        Set<String> want = Set.copyOf(tags(componentId, configId));
        List<JsonNode> out = new java.util.ArrayList<>();
        for (int offset = 0; ; offset += 100) {
            JsonNode page = client.listFiles(List.of("config:" + configId), 100, offset);
            for (JsonNode f : page) {
                if (Json.strings(f.get("tags")).containsAll(want)) {
                    out.add(f);
                }
            }
            if (page.size() < 100) {
                return out;
            }
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // temp file
            }
        }
    }
}
