package io.granary.runner;

import io.granary.client.StorageClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code granary run} with workspace staging as its own process, for a test to stop with SIGTERM while the component
 * runs: {@code SignalledRun <url> <token> <data dir> [<component's sh script>]}; the default component marks
 * {@code <data dir>/started} and sleeps.
 */
public final class SignalledRun {

    private SignalledRun() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[2]);
        Path config = Files.writeString(Files.createTempFile("signalled", ".json"), "{}");
        try (StorageClient client = StorageClient.create(args[0], args[1])) {
            RunResult r = new Runner(client, (level, message) -> System.out.println(level + " " + message)).run(
                    new RunRequest(config, "c.sleep", null, data, List.of("sh", "-c",
                            args.length > 3 ? args[3] : "touch started; exec sleep 20"),
                            Duration.ofSeconds(60), null, false, false, "in", WorkspaceStagingTest.WORKSPACE));
            System.out.println("exit " + r.exitCode());
        }
    }
}
