package io.granary.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What to run.
 *
 * @param configFile    config.json of the component (spec 1.3)
 * @param componentId   {@code KBC_COMPONENTID}; required
 * @param configId      {@code KBC_CONFIGID}; null = inline config: a SHA-1 of the parameters is used and no state
 *                      is stored (1.4)
 * @param dataDir       the data folder; null = a new temp dir
 * @param command       the component command, run in the data folder
 * @param timeout       null = no limit
 * @param runId         {@code KBC_RUNID}; null = generated
 * @param forwardToken  pass {@code KBC_URL} and {@code KBC_TOKEN} (component flag {@code forward_token}, 1.2)
 * @param defaultBucket component flag {@code default_bucket} (3.1): bare output names go to
 *                      {@code in.c-<component>-<config>} unless {@code storage.output.default_bucket} is set
 * @param defaultBucketStage the stage of that bucket: {@code in} (default) or {@code out}
 * @param staging       how tables reach the component and come back (4.4); null = {@link StagingModes#LOCAL}
 */
public record RunRequest(Path configFile, String componentId, String configId, Path dataDir, List<String> command,
        Duration timeout, String runId, boolean forwardToken, boolean defaultBucket, String defaultBucketStage,
        StagingModes staging) {

    public RunRequest {
        command = command == null ? List.of() : List.copyOf(command);
        if (componentId == null || componentId.isBlank()) {
            throw new IllegalArgumentException("Component Id must be set");
        }
        if (defaultBucketStage == null || defaultBucketStage.isBlank()) {
            defaultBucketStage = "in";
        }
        if (staging == null) {
            staging = StagingModes.LOCAL;
        }
    }

    /** A request with local staging. */
    public RunRequest(Path configFile, String componentId, String configId, Path dataDir, List<String> command,
            Duration timeout, String runId, boolean forwardToken, boolean defaultBucket, String defaultBucketStage) {
        this(configFile, componentId, configId, dataDir, command, timeout, runId, forwardToken, defaultBucket,
                defaultBucketStage, StagingModes.LOCAL);
    }

    public static RunRequest of(Path configFile, String componentId, String configId, Path dataDir, List<String> command,
            Duration timeout) {
        return new RunRequest(configFile, componentId, configId, dataDir, command, timeout, null, false, false, "in");
    }

    public RunRequest withForwardToken(boolean forward) {
        return new RunRequest(configFile, componentId, configId, dataDir, command, timeout, runId, forward, defaultBucket,
                defaultBucketStage, staging);
    }

    public RunRequest withDefaultBucket(boolean flag, String stage) {
        return new RunRequest(configFile, componentId, configId, dataDir, command, timeout, runId, forwardToken, flag, stage,
                staging);
    }

    public RunRequest withRunId(String id) {
        return new RunRequest(configFile, componentId, configId, dataDir, command, timeout, id, forwardToken, defaultBucket,
                defaultBucketStage, staging);
    }

    public RunRequest withStaging(StagingModes modes) {
        return new RunRequest(configFile, componentId, configId, dataDir, command, timeout, runId, forwardToken,
                defaultBucket, defaultBucketStage, modes);
    }
}
