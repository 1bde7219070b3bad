package io.granary.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.granary.client.StorageClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs one component by the common interface (spec 1.7): data folder → input mapping → config.json + state →
 * the component → output mapping (files, then tables; only {@code write_always} tables when it failed) → state.
 */
public final class Runner {

    private final StorageClient client;
    private final RunLog log;
    private final int parallelism;
    private final Staging.Factory stagings;

    public Runner(StorageClient client, RunLog log) {
        this(client, log, 16);
    }

    public Runner(StorageClient client, RunLog log, int parallelism) {
        this(client, log, parallelism, Staging::open);
    }

    Runner(StorageClient client, RunLog log, int parallelism, Staging.Factory stagings) {
        this.client = client;
        this.log = log == null ? RunLog.CONSOLE : log;
        this.parallelism = parallelism;
        this.stagings = stagings;
    }

    public RunResult run(RunRequest request) {
        long start = System.nanoTime();
        try {
            request.staging().check(); // before anything starts: no data folder, no Storage call
        } catch (UserException | ApplicationException e) {
            int code = e instanceof UserException ? 1 : 2;
            log.error(code == 1 ? e.getMessage() : "Application error: " + e.getMessage());
            return new RunResult(code, e.getMessage(), List.of(), List.of(), request.dataDir(),
                    Duration.ofNanos(System.nanoTime() - start));
        }
        DataFolder folder = request.dataDir() == null ? DataFolder.createTemp() : DataFolder.create(request.dataDir());
        List<String> tables = new ArrayList<>();
        List<Long> files = new ArrayList<>();
        SecretFilter secrets = new SecretFilter(Set.of());
        RunLog out = log;
        // SIGTERM / Ctrl-C: from before anything is made (a workspace being created included) to the end of the run
        RunStop stop = new RunStop(log);
        Thread onSignal = new Thread(stop::onSignal, "granary-run-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            Config config = Config.parse(request.configFile());
            Set<String> secretValues = new LinkedHashSet<>(config.secrets());
            JsonNode tokenInfo = client.verifyToken();
            token = tokenInfo.path("token").asText(null);
            if (request.forwardToken() && token != null) {
                secretValues.add(token);
            }
            secrets = new SecretFilter(secretValues);
            out = secrets.wrap(log);
            stop.log(out);
            stop.check();
            run(request, config, tokenInfo, folder, out, secrets, tables, files, stop);
            out.info("Component " + request.componentId() + " finished successfully.");
            return new RunResult(0, null, tables, files, folder.root(), Duration.ofNanos(System.nanoTime() - start));
        } catch (UserException e) {
            if (stop.requested()) {
                out.error(RunStop.MESSAGE);
                return new RunResult(2, RunStop.MESSAGE, tables, files, folder.root(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            String m = secrets.filter(e.getMessage());
            out.error(m);
            return new RunResult(1, m, tables, files, folder.root(), Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException | IOException e) {
            if (stop.requested()) {
                out.error(RunStop.MESSAGE);
                return new RunResult(2, RunStop.MESSAGE, tables, files, folder.root(),
                        Duration.ofNanos(System.nanoTime() - start));
            }
            String m = secrets.filter(e.getMessage() == null ? e.toString() : e.getMessage());
            out.error("Application error: " + m);
            return new RunResult(2, m, tables, files, folder.root(), Duration.ofNanos(System.nanoTime() - start));
        } finally {
            stop.finished();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs, finds the run finished and returns
            }
        }
    }

    private volatile String token;

    private void run(RunRequest request, Config config, JsonNode tokenInfo, DataFolder folder, RunLog out, SecretFilter secrets,
            List<String> tables, List<Long> files, RunStop stop) throws IOException {
        String configId = request.configId() != null ? request.configId() : sha1(config.parameters());
        String runId = request.runId() != null ? request.runId()
                : Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
        boolean storeState = request.configId() != null;

        // state (1.4)
        StateStore stateStore = new StateStore(client);
        ObjectNode previous = storeState ? stateStore.load(request.componentId(), request.configId()) : Json.object();
        JsonNode componentState = previous.path("component");
        Json.write(folder.inStateFile(), componentState.isObject() ? componentState : Json.object());

        boolean run = "run".equals(config.action());
        JsonNode tableStates = Json.array();
        InputMapping.FilesResult inputFiles = new InputMapping.FilesResult(Json.array(), Map.of());
        JsonNode newState;
        // the staging lives from before the input mapping to the end of the run, whatever ends it (4.4, 5.6);
        // other actions map nothing, so they get the local staging, which makes nothing
        StagingContext context = new StagingContext(client, folder, out, parallelism, request.componentId(),
                request.configId(), config.readOnlyStorageAccess(), config.inputTables());
        Staging staging = stagings.open(run ? request.staging() : StagingModes.LOCAL, context);
        stop.staging(staging);
        try {
            stop.check(); // a signal while the workspace was made: it is deleted below
            secrets.addAll(staging.secrets());

            // input mapping (4)
            if (run) {
                InputMapping im = new InputMapping(client, folder, out, parallelism, staging.input());
                tableStates = im.stageTables(config.inputTables(), previous.path("storage").path("input").path("tables"));
                inputFiles = im.downloadFiles(config.inputFiles(), previous.path("storage").path("input").path("files"));
            }
            secrets.addAll(staging.secrets()); // and what staging the tables made (S3 credentials)
            stop.check();
            config.writeTo(folder, staging.authorization());
            newState = runComponent(request, config, tokenInfo, folder, out, secrets, staging, configId, runId, run,
                    inputFiles, tables, files, stop);
        } finally {
            staging.close();
        }

        // persist state only when everything succeeded (1.4, 7.9)
        if (storeState && run) {
            ObjectNode state = previous.deepCopy();
            state.set("component", newState);
            ObjectNode storage = state.putObject("storage");
            ObjectNode input = storage.putObject("input");
            input.set("tables", tableStates);
            input.set("files", inputFiles.states());
            stateStore.save(request.componentId(), request.configId(), state);
        }
    }

    /**
     * The component (1.5), then the output mapping (3): files first, then tables, all validated before any load.
     * Returns the component's new state.
     */
    private JsonNode runComponent(RunRequest request, Config config, JsonNode tokenInfo, DataFolder folder, RunLog out,
            SecretFilter secrets, Staging staging, String configId, String runId, boolean run,
            InputMapping.FilesResult inputFiles, List<String> tables, List<Long> files, RunStop stop) throws IOException {
        Map<String, String> env = environment(request, folder, tokenInfo, configId, runId);
        env.putAll(staging.environment());
        String defaultBucket = config.defaultBucket();
        if (defaultBucket == null && request.defaultBucket()) {
            if (request.configId() == null) {
                throw new UserException("Configuration ID not set, but is required for default_bucket option.");
            }
            defaultBucket = request.defaultBucketStage() + ".c-" + request.componentId().replaceAll("[^a-zA-Z0-9-]", "-")
                    + "-" + request.configId();
        }
        OutputMapping om = new OutputMapping(client, folder, out, parallelism,
                new OutputMapping.Context(request.componentId(), request.configId(), runId, defaultBucket), staging.output());
        try {
            new ComponentProcess(request.command(), folder, env, request.timeout(), request.componentId()).stoppedBy(stop)
                    .run(out, secrets);
        } catch (UserException | ApplicationException e) {
            if (run && !stop.requested()) {
                // 3.7: failed job — only write_always tables, no files; then the original error
                try {
                    tables.addAll(om.loadTables(om.prepareTables(config.outputTables(), true)));
                } catch (RuntimeException writeAlways) {
                    out.error("Failed to write write_always tables: " + writeAlways.getMessage());
                }
            }
            throw e;
        }
        stop.check(); // a signal just as the component ended: nothing is written
        JsonNode newState = readOutState(folder);
        if (run) {
            List<TableOutput> outputs = om.prepareTables(config.outputTables(), false);
            files.addAll(om.uploadFiles(config.outputFiles()));
            tables.addAll(om.loadTables(outputs));
            // 3.8.8: after the table outputs, tag the input files with their processed_tags (deprecated but honoured)
            for (var e : inputFiles.processedTags().entrySet()) {
                for (String tag : e.getValue()) {
                    client.addFileTag(e.getKey(), tag);
                }
            }
        }
        return newState;
    }

    /** out/state.json (missing → {}; invalid JSON → error), deleted after reading (1.4). */
    private static JsonNode readOutState(DataFolder folder) throws IOException {
        if (!Files.exists(folder.outStateFile())) {
            return Json.object();
        }
        JsonNode state;
        try {
            String text = Files.readString(folder.outStateFile());
            state = text.isBlank() ? Json.object() : Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new UserException("Invalid state file \"out/state.json\": " + e.getMessage(), e);
        }
        Files.delete(folder.outStateFile());
        return state.isArray() && state.isEmpty() ? Json.object() : state;
    }

    /** The variables of spec 1.2 / 8.1. */
    Map<String, String> environment(RunRequest request, DataFolder folder, JsonNode tokenInfo, String configId,
            String runId) {
        Map<String, String> env = new LinkedHashMap<>();
        JsonNode owner = tokenInfo.path("owner");
        env.put("KBC_DATADIR", folder.kbcDataDir());
        env.put("KBC_RUNID", runId);
        env.put("KBC_PROJECTID", owner.path("id").asText(""));
        env.put("KBC_STACKID", URI.create(client.host()).getHost());
        env.put("KBC_CONFIGID", configId);
        env.put("KBC_CONFIGVERSION", "");
        env.put("KBC_COMPONENTID", request.componentId());
        env.put("KBC_STAGING_FILE_PROVIDER", owner.path("fileStorageProvider").asText("aws"));
        List<String> features = Json.strings(owner.get("features"));
        env.put("KBC_PROJECT_FEATURE_GATES", String.join(",", features));
        env.put("KBC_COMPONENT_RUN_MODE", "run");
        if (features.contains("new-native-types")) {
            env.put("KBC_DATA_TYPE_SUPPORT", "none");
        }
        if (request.forwardToken()) {
            env.put("KBC_URL", client.host());
            env.put("KBC_TOKEN", token == null ? "" : token);
        }
        return env;
    }

    static String sha1(JsonNode parameters) {
        try {
            byte[] canonical = Json.MAPPER.writer().with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsBytes(Json.MAPPER.convertValue(parameters, Object.class));
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(canonical));
        } catch (NoSuchAlgorithmException | IOException e) {
            return HexFormat.of().formatHex(String.valueOf(parameters).getBytes(StandardCharsets.UTF_8)).substring(0, 40);
        }
    }
}
