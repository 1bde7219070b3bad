package io.granary.cli;

import io.granary.client.StorageClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code granary bucket …}. */
@Command(name = "bucket", mixinStandardHelpOptions = true, description = "Manage buckets.",
        subcommands = {BucketCommand.Create.class, BucketCommand.ListBuckets.class, BucketCommand.Detail.class,
            BucketCommand.Delete.class})
final class BucketCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a bucket: granary bucket create in main")
    static final class Create implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(index = "0", description = "Stage: in or out.")
        String stage;
        @Parameters(index = "1", description = "Name (without the c- prefix).")
        String name;
        @Option(names = "--description")
        String description;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                var bucket = client.createBucket(name, stage, description);
                Output.print(connection, bucket, bucket.path("id").asText());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List buckets.")
    static final class ListBuckets implements Runnable {
        @Mixin
        Connection connection;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                Output.table(connection, client.listBuckets(), "id", "description");
            }
        }
    }

    @Command(name = "detail", mixinStandardHelpOptions = true, description = "Show a bucket.")
    static final class Detail implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Bucket id, e.g. in.c-main.")
        String bucketId;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                var bucket = client.getBucket(bucketId);
                Output.print(connection, bucket, bucket.toPrettyString());
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a bucket.")
    static final class Delete implements Runnable {
        @Mixin
        Connection connection;
        @Parameters(description = "Bucket id.")
        String bucketId;
        @Option(names = "--force", description = "Also drop its tables.")
        boolean force;

        @Override
        public void run() {
            try (StorageClient client = connection.client()) {
                client.dropBucket(bucketId, force);
            }
        }
    }
}
