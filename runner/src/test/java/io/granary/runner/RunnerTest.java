package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.granary.client.FileUploadOptions;
import io.granary.client.StorageApiException;
import io.granary.client.StorageClient;
import io.granary.client.TableCreateOptions;
import io.granary.server.support.EmbeddedGranary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The runner against a real Granary server, with real child processes (python3 components). */
class RunnerTest {

    @RegisterExtension
    static EmbeddedGranary granary = new EmbeddedGranary();
    static StorageClient client;

    @TempDir
    Path tmp;

    final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    final RunLog log = (level, message) -> logLines.add(level + " " + message);

    @BeforeAll
    static void start() {
        client = StorageClient.create(granary.url(), EmbeddedGranary.MASTER_TOKEN);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    // ------------------------------------------------------------------ helpers

    RunResult run(String config, String script, String componentId, String configId) throws IOException {
        return run(config, script, RunRequest.of(null, componentId, configId, null, null, Duration.ofSeconds(60)));
    }

    RunResult run(String config, String script, RunRequest base) throws IOException {
        return run(config, script, base, Staging::open);
    }

    RunResult run(String config, String script, RunRequest base, Staging.Factory stagings) throws IOException {
        Path cfg = Files.createTempFile(tmp, "config", ".json");
        Files.writeString(cfg, config);
        Path py = Files.createTempFile(tmp, "component", ".py");
        Files.writeString(py, "import os, json, sys, gzip, base64\nD = os.environ['KBC_DATADIR']\n" + script);
        Path data = Files.createTempDirectory(tmp, "data");
        RunRequest r = new RunRequest(cfg, base.componentId(), base.configId(), data, List.of("python3", py.toString()),
                base.timeout(), base.runId(), base.forwardToken(), base.defaultBucket(), base.defaultBucketStage());
        return new Runner(client, log, 16, stagings).run(r);
    }

    static void table(String bucket, String name, String csv, List<String> pk) throws IOException {
        try {
            client.getBucket("in.c-" + bucket);
        } catch (StorageApiException e) {
            client.createBucket(bucket, "in", null);
        }
        Path f = Files.createTempFile("src", ".csv");
        Files.writeString(f, csv);
        client.createTable("in.c-" + bucket, name, f, TableCreateOptions.defaults().primaryKey(pk));
        Files.delete(f);
    }

    static List<String> rows(String tableId) {
        List<String> out = new ArrayList<>();
        JsonNode preview = client.previewTable(tableId, 1000);
        for (JsonNode row : preview.path("rows")) {
            List<String> values = new ArrayList<>();
            row.forEach(cell -> values.add(cell.path("value").asText()));
            out.add(String.join(",", values));
        }
        Collections.sort(out);
        return out;
    }

    static boolean exists(String tableId) {
        try {
            client.getTable(tableId);
            return true;
        } catch (StorageApiException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------ tests

    @Test
    void readsInputTableAndWritesOutputTableWithPrimaryKeyIncrementally() throws IOException {
        table("io-src", "people", "id,name\n1,Ann\n2,Bob\n3,Cyd\n", List.of("id"));
        String config = """
                {"storage": {"input": {"tables": [{"source": "in.c-io-src.people", "destination": "people.csv",
                                                   "where_column": "name", "where_values": ["Ann", "Bob"]}]}},
                 "parameters": {"suffix": "!"}}
                """;
        String script = """
                cfg = json.load(open(D + 'config.json'))
                m = json.load(open(D + 'in/tables/people.csv.manifest'))
                assert m['id'] == 'in.c-io-src.people', m
                assert m['columns'] == ['id', 'name'], m
                assert m['primary_key'] == ['id'], m
                assert m['metadata'] == [] and m['column_metadata'] == {'id': [], 'name': []}, m
                import datetime
                datetime.datetime.strptime(m['created'], '%Y-%m-%dT%H:%M:%S%z')
                datetime.datetime.strptime(m['last_import_date'], '%Y-%m-%dT%H:%M:%S%z')
                assert os.getcwd().rstrip('/') == D.rstrip('/')
                for k in ['KBC_RUNID', 'KBC_PROJECTID', 'KBC_CONFIGID', 'KBC_COMPONENTID', 'KBC_STACKID']:
                    assert os.environ.get(k), k
                assert 'queuev2' in os.environ['KBC_PROJECT_FEATURE_GATES'].split(',')
                assert os.environ['KBC_COMPONENT_RUN_MODE'] == 'run'
                assert 'KBC_TOKEN' not in os.environ
                lines = open(D + 'in/tables/people.csv').read().splitlines()
                with open(D + 'out/tables/result.csv', 'w') as f:
                    f.write('id,name\\n')
                    for l in lines[1:]:
                        i, n = [x.strip('"') for x in l.split(',')]
                        f.write(i + ',' + n + cfg['parameters']['suffix'] + '\\n')
                json.dump({'destination': 'out.c-io-res.result', 'primary_key': ['id'], 'incremental': True},
                          open(D + 'out/tables/result.csv.manifest', 'w'))
                print('done', len(lines) - 1)
                """;
        RunResult r = run(config, script, "my.component", "io-1");
        assertThat(r.message()).isNull();
        assertThat(r.exitCode()).isZero();
        assertThat(r.tables()).containsExactly("out.c-io-res.result");
        assertThat(rows("out.c-io-res.result")).containsExactly("1,Ann!", "2,Bob!");
        assertThat(client.getTable("out.c-io-res.result").path("primaryKey").get(0).asText()).isEqualTo("id");
        assertThat(logLines).contains("INFO done 2");

        // incremental second run: upserts by primary key
        table("io-src", "people2", "id,name\n2,Bea\n4,Dan\n", List.of("id"));
        RunResult r2 = run(config.replace("in.c-io-src.people\"", "in.c-io-src.people2\"").replace(
                "\"where_column\": \"name\", \"where_values\": [\"Ann\", \"Bob\"]", "\"columns\": [\"id\", \"name\"]"),
                script.replace("in.c-io-src.people'", "in.c-io-src.people2'"), "my.component", "io-1");
        assertThat(r2.message()).isNull();
        assertThat(rows("out.c-io-res.result")).containsExactly("1,Ann!", "2,Bea!", "4,Dan!");
    }

    @Test
    void deleteWhereRunsBeforeTheLoadAndAChangedPrimaryKeyIsApplied() throws IOException {
        table("dw", "target", "id,region,v\n1,eu,a\n2,us,b\n3,eu,c\n4,apac,d\n", List.of("id"));
        String config = """
                {"storage": {"output": {"tables": [
                   {"source": "legacy.csv", "destination": "in.c-dw.target", "incremental": true, "primary_key": ["id"],
                    "delete_where_column": "region", "delete_where_values": ["eu"], "delete_where_operator": "eq"}]}}}
                """;
        RunResult r = run(config, "open(D + 'out/tables/legacy.csv', 'w').write('id,region,v\\n9,eu,z\\n')\n",
                "my.component", "dw-1");
        assertThat(r.message()).isNull();
        assertThat(rows("in.c-dw.target")).containsExactly("2,us,b", "4,apac,d", "9,eu,z");

        String rules = """
                {"storage": {"output": {"tables": [
                   {"source": "rules.csv", "destination": "in.c-dw.target", "incremental": true, "primary_key": ["v"],
                    "delete_where": [{"where_filters": [{"column": "region", "operator": "ne",
                                                         "values_from_set": ["us"]}]}]}]}}}
                """;
        RunResult r2 = run(rules, "open(D + 'out/tables/rules.csv', 'w').write('id,region,v\\n7,apac,y\\n')\n",
                "my.component", "dw-2");
        assertThat(r2.message()).isNull();
        assertThat(rows("in.c-dw.target")).containsExactly("2,us,b", "7,apac,y");
        assertThat(client.getTable("in.c-dw.target").path("primaryKey").toString()).isEqualTo("[\"v\"]");
        assertThat(logLines).anyMatch(l -> l.contains("Modifying primary key of table \"in.c-dw.target\" from \"id\" to \"v\"."));

        // values from another Storage table's column
        table("dw", "regions", "code\nus\n", List.of());
        String fromStorage = rules.replace("\"operator\": \"ne\",", "\"operator\": \"eq\",").replace(
                "\"values_from_set\": [\"us\"]", "\"values_from_storage\": {\"bucket_id\": \"in.c-dw\", \"table\": \"regions\","
                        + " \"column\": \"code\"}");
        RunResult r3 = run(fromStorage, "open(D + 'out/tables/rules.csv', 'w').write('id,region,v\\n8,eu,q\\n')\n",
                "my.component", "dw-3");
        assertThat(r3.message()).isNull();
        assertThat(rows("in.c-dw.target")).containsExactly("7,apac,y", "8,eu,q");

        String workspace = rules.replace("\"values_from_set\": [\"us\"]", "\"values_from_workspace\": {\"table\": \"x\"}");
        RunResult r4 = run(workspace, "open(D + 'out/tables/rules.csv', 'w').write('id,region,v\\n9,eu,w\\n')\n",
                "my.component", "dw-4");
        assertThat(r4.message()).contains("values_from_workspace");
        assertThat(rows("in.c-dw.target")).containsExactly("7,apac,y", "8,eu,q");
    }

    @Test
    void hasHeaderWithColumnsSkipsTheFilesHeaderLine() throws IOException {
        String config = """
                {"storage": {"output": {"tables": [
                   {"source": "h.csv", "destination": "out.c-hh.t", "columns": ["id", "name"], "has_header": true}]}}}
                """;
        RunResult r = run(config, "open(D + 'out/tables/h.csv', 'w').write('ID,Full Name\\n1,Ann\\n2,Bob\\n')\n",
                "my.component", "hh-1");
        assertThat(r.message()).isNull();
        assertThat(client.getTable("out.c-hh.t").path("columns").toString()).isEqualTo("[\"id\",\"name\"]");
        assertThat(rows("out.c-hh.t")).containsExactly("1,Ann", "2,Bob");
    }

    @Test
    void adaptiveFileInputTakesOnlyNewFilesAndProcessedTagsAreAdded() throws IOException {
        Path f = Files.writeString(tmp.resolve("feed.txt"), "x");
        long first = client.uploadFile(f, FileUploadOptions.defaults().tags(List.of("adaptive-feed")));
        String config = "{\"storage\": {\"input\": {\"files\": [{\"tags\": [\"adaptive-feed\"], \"changed_since\": \"adaptive\","
                + " \"processed_tags\": [\"seen\"]}]}}}";
        String script = "print('FILES', ','.join(sorted(n for n in os.listdir(D + 'in/files') if not n.endswith('.manifest'))))\n";
        RunResult r1 = run(config, script, "comp.adaptive", "ad-1");
        assertThat(r1.message()).isNull();
        assertThat(logLines).contains("INFO FILES " + first + "_feed.txt");
        assertThat(Json.strings(client.getFile(first, false).get("tags"))).contains("adaptive-feed", "seen");

        long second = client.uploadFile(f, FileUploadOptions.defaults().tags(List.of("adaptive-feed")));
        logLines.clear();
        RunResult r2 = run(config, script, "comp.adaptive", "ad-1");
        assertThat(r2.message()).isNull();
        assertThat(logLines).contains("INFO FILES " + second + "_feed.txt");

        logLines.clear();
        run(config, script, "comp.adaptive", "ad-1");
        assertThat(logLines).contains("INFO FILES ");
    }

    @Test
    void outputMetadataIsWrittenAndReachesTheNextInputManifest() throws IOException {
        String out = """
                open(D + 'out/tables/m.csv', 'w').write('id,name\\n1,a\\n')
                json.dump({'destination': 'out.c-meta.t', 'metadata': [{'key': 'KBC.description', 'value': 'people'}],
                           'column_metadata': {'id': [{'key': 'KBC.datatype.basetype', 'value': 'INTEGER'}]}},
                          open(D + 'out/tables/m.csv.manifest', 'w'))
                """;
        RunResult r = run("{}", out, "my.meta", "meta-1");
        assertThat(r.message()).isNull();
        JsonNode t = client.getTable("out.c-meta.t");
        List<String> keys = new ArrayList<>();
        t.get("metadata").forEach(m -> keys.add(m.get("provider").asText() + ":" + m.get("key").asText() + "=" + m.get("value").asText()));
        assertThat(keys).contains("system:KBC.createdBy.component.id=my.meta", "system:KBC.lastUpdatedBy.configuration.id=meta-1",
                "my.meta:KBC.description=people");
        assertThat(t.get("columnMetadata").get("id").get(0).get("value").asText()).isEqualTo("INTEGER");

        String nativeTypes = """
                open(D + 'out/tables/n.csv', 'w').write('id,name\\n1,a\\n')
                json.dump({'destination': 'out.c-meta.n', 'manifest_type': 'output', 'has_header': True,
                           'description': 'native', 'table_metadata': {'owner': 'team-a'},
                           'schema': [{'name': 'id', 'data_type': {'base': {'type': 'INTEGER'}}, 'nullable': False,
                                       'primary_key': True, 'metadata': {'KBC.someKey': 'v'}},
                                      {'name': 'name', 'description': 'the name'}]},
                          open(D + 'out/tables/n.csv.manifest', 'w'))
                """;
        RunResult rn = run("{}", nativeTypes, "my.meta", "meta-n");
        assertThat(rn.message()).isNull();
        JsonNode n = client.getTable("out.c-meta.n");
        List<String> nativeKeys = new ArrayList<>();
        n.get("metadata").forEach(m -> nativeKeys.add(m.get("key").asText() + "=" + m.get("value").asText()));
        assertThat(nativeKeys).contains("owner=team-a", "KBC.description=native");
        List<String> idKeys = new ArrayList<>();
        n.get("columnMetadata").get("id").forEach(m -> idKeys.add(m.get("key").asText() + "=" + m.get("value").asText()));
        assertThat(idKeys).containsExactlyInAnyOrder("KBC.someKey=v", "KBC.datatype.basetype=INTEGER", "KBC.datatype.nullable=0");
        assertThat(n.get("columnMetadata").get("name").get(0).get("value").asText()).isEqualTo("the name");
        assertThat(n.get("primaryKey").toString()).isEqualTo("[\"id\"]");

        String in = """
                m = json.load(open(D + 'in/tables/t.csv.manifest'))
                print('META', [x['key'] + '=' + x['value'] for x in m['metadata'] if x['provider'] == 'my.meta'],
                      [x['value'] for x in m['column_metadata']['id']])
                """;
        RunResult r2 = run("{\"storage\": {\"input\": {\"tables\": [{\"source\": \"out.c-meta.t\", \"destination\": \"t.csv\"}]}}}",
                in, "my.reader", "meta-2");
        assertThat(r2.message()).isNull();
        assertThat(logLines).contains("INFO META ['KBC.description=people'] ['INTEGER']");
    }

    @Test
    void defaultBucketDestinations() throws IOException {
        String script = """
                open(D + 'out/tables/plain.csv', 'w').write('a,b\\n1,2\\n')
                open(D + 'out/tables/named.csv', 'w').write('a\\n1\\n')
                json.dump({'destination': 'renamed'}, open(D + 'out/tables/named.csv.manifest', 'w'))
                open(D + 'out/tables/out.c-full.direct.csv', 'w').write('a\\n1\\n')
                """;
        RunResult r = run("{}", script, RunRequest.of(null, "keboola.ex-demo", "cfg7", null, null, null)
                .withDefaultBucket(true, "in"));
        assertThat(r.message()).isNull();
        assertThat(r.tables()).containsExactlyInAnyOrder("in.c-keboola-ex-demo-cfg7.plain",
                "in.c-keboola-ex-demo-cfg7.renamed", "out.c-full.direct");
        assertThat(rows("in.c-keboola-ex-demo-cfg7.plain")).containsExactly("1,2");

        // storage.output.default_bucket wins over the component flag
        RunResult r2 = run("{\"storage\": {\"output\": {\"default_bucket\": \"out.c-explicit\"}}}",
                "open(D + 'out/tables/x.csv', 'w').write('a\\n1\\n')\n", "c", "cfg8");
        assertThat(r2.message()).isNull();
        assertThat(r2.tables()).containsExactly("out.c-explicit.x");
    }

    @Test
    void slicedFolderAndGzippedOutputs() throws IOException {
        String config = """
                {"storage": {"output": {"tables": [
                   {"source": "sliced.csv", "destination": "out.c-slices.sliced", "columns": ["id", "v"]}]}}}
                """;
        String script = """
                os.mkdir(D + 'out/tables/sliced.csv')
                open(D + 'out/tables/sliced.csv/part1', 'w').write('1,a\\n2,b\\n')
                with gzip.open(D + 'out/tables/sliced.csv/part2.gz', 'wt') as f:
                    f.write('3,c\\n')
                os.mkdir(D + 'out/tables/manifested')
                open(D + 'out/tables/manifested/p1.csv', 'w').write('"x","y, z"\\n')
                json.dump({'destination': 'out.c-slices.manifested', 'columns': ['k', 'v']},
                          open(D + 'out/tables/manifested.manifest', 'w'))
                with gzip.open(D + 'out/tables/g.csv.gz', 'wt') as f:
                    f.write('id,v\\n7,seven\\n')
                json.dump({'destination': 'out.c-slices.gz'}, open(D + 'out/tables/g.csv.gz.manifest', 'w'))
                """;
        RunResult r = run(config, script, "c", "slices");
        assertThat(r.message()).isNull();
        assertThat(rows("out.c-slices.sliced")).containsExactly("1,a", "2,b", "3,c");
        assertThat(rows("out.c-slices.manifested")).containsExactly("x,y, z");
        assertThat(rows("out.c-slices.gz")).containsExactly("7,seven");
    }

    @Test
    void everyOutputMappingErrorLoadsNothing() throws IOException {
        record Case(String name, String config, String script, String message) {
        }
        String good = "open(D + 'out/tables/good.csv', 'w').write('a\\n1\\n')\n"
                + "json.dump({'destination': 'out.c-err.good'}, open(D + 'out/tables/good.csv.manifest', 'w'))\n";
        List<Case> cases = List.of(
                new Case("orphan", "{}", "open(D + 'out/tables/x.csv.manifest', 'w').write('{}')\n",
                        "Found orphaned table manifest: \"x.csv.manifest\""),
                new Case("missing source", "{\"storage\": {\"output\": {\"tables\": [{\"source\": \"missing.csv\","
                        + " \"destination\": \"out.c-err.m\"}]}}}", "",
                        "Table sources not found: \"missing.csv\""),
                new Case("no destination", "{}", "open(D + 'out/tables/bare.csv', 'w').write('a\\n1\\n')\n",
                        "Failed to resolve destination for output table \"bare.csv\"."),
                new Case("bare name in mapping", "{\"storage\": {\"output\": {\"default_bucket\": \"out.c-err\", \"tables\": ["
                        + "{\"source\": \"t.csv\", \"destination\": \"t\"}]}}}",
                        "open(D + 'out/tables/t.csv', 'w').write('a\\n1\\n')\n",
                        "Failed to resolve destination for output table \"t.csv\"."),
                new Case("invalid table id", "{\"storage\": {\"output\": {\"default_bucket\": \"out.c-err\"}}}",
                        "open(D + 'out/tables/t.csv', 'w').write('a\\n1\\n')\n"
                        + "json.dump({'destination': 'a.b'}, open(D + 'out/tables/t.csv.manifest', 'w'))\n",
                        "Failed to resolve valid destination. \"out.c-err.a.b\" is not a valid table ID."),
                new Case("sliced without columns", "{}", "os.mkdir(D + 'out/tables/s.csv')\n"
                        + "open(D + 'out/tables/s.csv/p1', 'w').write('1\\n')\n"
                        + "json.dump({'destination': 'out.c-err.s'}, open(D + 'out/tables/s.csv.manifest', 'w'))\n",
                        "Sliced file \"s.csv\" columns specification missing."),
                new Case("_timestamp", "{}", "open(D + 'out/tables/t.csv', 'w').write('1,2\\n')\n"
                        + "json.dump({'destination': 'out.c-err.t', 'columns': ['a', '_timestamp']},"
                        + " open(D + 'out/tables/t.csv.manifest', 'w'))\n",
                        "Failed to process mapping for table t.csv: System columns \"_timestamp\" cannot be imported to the table."),
                new Case("unknown manifest key", "{}", "open(D + 'out/tables/t.csv', 'w').write('a\\n1\\n')\n"
                        + "json.dump({'destination': 'out.c-err.t', 'wrongParam': 1}, open(D + 'out/tables/t.csv.manifest', 'w'))\n",
                        "as \"json\": Unrecognized option \"wrongParam\" under \"table\""),
                new Case("primary key as string", "{}", "open(D + 'out/tables/t.csv', 'w').write('a\\n1\\n')\n"
                        + "json.dump({'destination': 'out.c-err.t', 'primary_key': 'a'}, open(D + 'out/tables/t.csv.manifest', 'w'))\n",
                        "Invalid type for path \"table.primary_key\". Expected \"array\", but got \"string\""));
        for (Case c : cases) {
            RunResult r = run(c.config(), good + c.script(), "c", "err");
            assertThat(r.exitCode()).as(c.name()).isEqualTo(1);
            assertThat(r.message()).as(c.name()).contains(c.message());
            assertThat(exists("out.c-err.good")).as(c.name() + ": the good table must not be loaded").isFalse();
        }
    }

    @Test
    void anEmptyOutputFileWithoutColumnsIsRefusedAndChangesNoTable() throws IOException {
        table("empty0", "kept", "id,v\n1,a\n", List.of());
        String script = "open(D + 'out/tables/new.csv', 'w').write('')\n"
                + "json.dump({'destination': 'out.c-empty.new'}, open(D + 'out/tables/new.csv.manifest', 'w'))\n"
                + "open(D + 'out/tables/kept.csv', 'w').write('')\n"
                + "json.dump({'destination': 'in.c-empty0.kept'}, open(D + 'out/tables/kept.csv.manifest', 'w'))\n";
        RunResult r = run("{}", script, "c", "empty");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.message().lines().sorted().toList()).containsExactly(
                "Failed to load table \"in.c-empty0.kept\": There are no data in import file",
                "Failed to load table \"out.c-empty.new\": There are no data in import file");
        assertThat(exists("out.c-empty.new")).isFalse();
        assertThat(rows("in.c-empty0.kept")).containsExactly("1,a");
    }

    @Test
    void aPrimaryKeyIsTrimmedNotWebalizedIntoUnderscores() throws IOException {
        RunResult r = run("{}", "open(D + 'out/tables/t.csv', 'w').write('Id,v\\n1,a\\n')\n"
                + "json.dump({'destination': 'out.c-pk.t', 'primary_key': [' Id ']}, open(D + 'out/tables/t.csv.manifest', 'w'))\n",
                "c", "pk");
        assertThat(r.exitCode()).as(r.message()).isZero();
        assertThat(client.getTable("out.c-pk.t").get("primaryKey").toString()).isEqualTo("[\"Id\"]");
    }

    @Test
    void inputFilesByTagLandAsIdUnderscoreNameWithManifest() throws IOException {
        Path f = Files.writeString(tmp.resolve("report.txt"), "hello files");
        long both = client.uploadFile(f, FileUploadOptions.defaults().tags(List.of("rt-a", "rt-b")));
        long onlyA = client.uploadFile(f, FileUploadOptions.defaults().tags(List.of("rt-a")));
        long excluded = client.uploadFile(f, FileUploadOptions.defaults().tags(List.of("rt-a", "rt-b", "rt-x")));
        String script = """
                names = sorted(os.listdir(D + 'in/files'))
                print('FILES', ','.join(names))
                """;
        RunResult r = run("{\"storage\": {\"input\": {\"files\": [{\"source\": {\"tags\": [{\"name\": \"rt-a\"},"
                + " {\"name\": \"rt-b\"}, {\"name\": \"rt-x\", \"match\": \"exclude\"}]}}]}}}", script, "c", "files");
        assertThat(r.message()).isNull();
        assertThat(logLines).contains("INFO FILES " + both + "_report.txt," + both + "_report.txt.manifest");
        JsonNode manifest = Json.read(r.dataDir().resolve("in/files/" + both + "_report.txt.manifest"));
        assertThat(manifest.get("id").asLong()).isEqualTo(both);
        assertThat(manifest.get("name").asText()).isEqualTo("report.txt");
        assertThat(Json.strings(manifest.get("tags"))).containsExactlyInAnyOrder("rt-a", "rt-b");
        assertThat(manifest.get("is_sliced").asBoolean()).isFalse();
        assertThat(manifest.get("size_bytes").asLong()).isEqualTo(11);
        assertThat(manifest.get("created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d[+-]\\d{4}");
        assertThat(List.of(manifest.fieldNames()).toString()).isNotNull();
        for (String k : List.of("id", "name", "created", "is_public", "is_encrypted", "is_sliced", "tags", "max_age_days",
                "size_bytes")) {
            assertThat(manifest.has(k)).as(k).isTrue();
        }
        assertThat(Files.readString(r.dataDir().resolve("in/files/" + both + "_report.txt"))).isEqualTo("hello files");
        assertThat(onlyA).isNotEqualTo(excluded);

        // plain tags: all must match; query is refused clearly
        RunResult r2 = run("{\"storage\": {\"input\": {\"files\": [{\"tags\": [\"rt-a\", \"rt-x\"]}]}}}", script, "c", "files");
        assertThat(logLines).contains("INFO FILES " + excluded + "_report.txt," + excluded + "_report.txt.manifest");
        assertThat(r2.exitCode()).isZero();
        logLines.clear();
        RunResult r3 = run("{\"storage\": {\"input\": {\"files\": [{\"query\": \"tags:rt-a AND NOT tags:(rt-x OR rt-none)"
                + " AND name:rep*.txt\"}]}}}", script, "c", "files");
        assertThat(r3.exitCode()).isZero();
        String expected = List.of(both, onlyA).stream().sorted().map(id -> id + "_report.txt," + id + "_report.txt.manifest")
                .reduce((x, y) -> x + "," + y).orElseThrow();
        assertThat(logLines).contains("INFO FILES " + expected);
        RunResult r5 = run("{\"storage\": {\"input\": {\"files\": [{\"query\": \"owner:me\"}]}}}", script, "c", "files");
        assertThat(r5.exitCode()).isEqualTo(1);
        assertThat(r5.message()).contains("field \"owner\" is not supported");

        // a sliced file arrives as a folder of its slices
        StringBuilder csv = new StringBuilder("id,v\n");
        for (int i = 0; i < 3000; i++) {
            csv.append(i).append(",value-").append(i).append('\n');
        }
        Path big = Files.writeString(tmp.resolve("sliced.csv"), csv);
        long sliced = client.uploadFile(big, FileUploadOptions.defaults().sliced(true).sliceSize(8 * 1024)
                .tags(List.of("rt-sliced")));
        RunResult r4 = run("{\"storage\": {\"input\": {\"files\": [{\"tags\": [\"rt-sliced\"]}]}}}", script, "c", "files");
        assertThat(r4.exitCode()).isZero();
        Path folder = r4.dataDir().resolve("in/files/" + sliced + "_sliced.csv");
        List<Path> parts;
        try (var list = Files.list(folder)) {
            parts = list.sorted().toList();
        }
        assertThat(parts).hasSizeGreaterThan(1);
        StringBuilder joined = new StringBuilder();
        for (Path p : parts) {
            joined.append(Files.readString(p));
        }
        assertThat(joined.toString()).isEqualTo(csv.substring(csv.indexOf("\n") + 1));
        assertThat(Json.read(r4.dataDir().resolve("in/files/" + sliced + "_sliced.csv.manifest")).get("is_sliced").asBoolean())
                .isTrue();
    }

    @Test
    void outputFilesGetTagsAndSystemTags() throws IOException {
        String script = """
                open(D + 'out/files/a.txt', 'w').write('A')
                open(D + 'out/files/b.txt', 'w').write('B')
                json.dump({'tags': ['from-manifest'], 'is_permanent': True}, open(D + 'out/files/b.txt.manifest', 'w'))
                """;
        RunResult r = run("{\"storage\": {\"output\": {\"files\": [{\"source\": \"a.txt\", \"tags\": [\"from-mapping\"]}]}}}",
                script, RunRequest.of(null, "comp.files", "cf1", null, null, null).withRunId("777"));
        assertThat(r.message()).isNull();
        assertThat(r.files()).hasSize(2);
        JsonNode a = client.getFile(r.files().get(0), false);
        JsonNode b = client.getFile(r.files().get(1), false);
        assertThat(Json.strings(a.get("tags"))).containsExactlyInAnyOrder("from-mapping", "componentId: comp.files",
                "configurationId: cf1", "runId: 777");
        assertThat(Json.strings(b.get("tags"))).contains("from-manifest", "componentId: comp.files");
        assertThat(b.get("maxAgeDays").isNull()).as("is_permanent from the manifest").isTrue();
        assertThat(a.get("isEncrypted").asBoolean()).as("is_encrypted defaults to true").isTrue();
        assertThat(a.get("isPublic").asBoolean()).isFalse();
    }

    @Test
    void secretsAreHiddenInLogsAndErrors() throws IOException {
        String config = "{\"parameters\": {\"#password\": \"sup3r-s3cret\", \"deep\": {\"list\": [{\"#token\": \"tok-987\"}]}}}";
        String script = """
                p = json.load(open(D + 'config.json'))['parameters']
                print('password is', p['#password'])
                print('b64', base64.b64encode(p['#password'].encode()).decode())
                print('token', p['deep']['list'][0]['#token'], file=sys.stderr)
                sys.exit('fatal: ' + p['#password'])
                """;
        RunResult r = run(config, script, "c", "secret");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(String.join("\n", logLines)).doesNotContain("sup3r-s3cret").doesNotContain("tok-987")
                .doesNotContain(java.util.Base64.getEncoder().encodeToString("sup3r-s3cret".getBytes()))
                .contains("INFO password is [hidden]", "INFO b64 [hidden]", "ERROR token [hidden]");
        assertThat(r.message()).contains("fatal: [hidden]").doesNotContain("sup3r");
    }

    @Test
    void userErrorWritesOnlyWriteAlwaysTables() throws IOException {
        String config = """
                {"storage": {"output": {"tables": [
                   {"source": "always.csv", "destination": "out.c-fail.always", "write_always": true},
                   {"source": "normal.csv", "destination": "out.c-fail.normal"}],
                   "files": [{"source": "f.txt"}]}}}
                """;
        String script = """
                open(D + 'out/tables/always.csv', 'w').write('a\\n1\\n')
                open(D + 'out/tables/normal.csv', 'w').write('a\\n1\\n')
                open(D + 'out/files/f.txt', 'w').write('x')
                print('something went wrong', file=sys.stderr)
                sys.exit(CODE)
                """;
        RunResult r = run(config, script.replace("CODE", "1"), "c", "fail");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.message()).isEqualTo("something went wrong");
        assertThat(exists("out.c-fail.always")).isTrue();
        assertThat(exists("out.c-fail.normal")).isFalse();
        assertThat(r.files()).isEmpty();

        RunResult r2 = run(config, script.replace("CODE", "2"), "c", "fail");
        assertThat(r2.exitCode()).isEqualTo(2);
        assertThat(r2.message()).contains("c container '").contains("failed: (2) something went wrong");
        assertThat(exists("out.c-fail.normal")).isFalse();
    }

    @Test
    void stateRoundTripAcrossRunsOnlyOnSuccess() throws IOException {
        String script = """
                s = json.load(open(D + 'in/state.json'))
                print('STATE', json.dumps(s, sort_keys=True))
                json.dump({'n': s.get('n', 0) + 1}, open(D + 'out/state.json', 'w'))
                sys.exit(int(json.load(open(D + 'config.json'))['parameters'].get('exit', 0)))
                """;
        assertThat(run("{}", script, "c.state", "st1").exitCode()).isZero();
        assertThat(run("{}", script, "c.state", "st1").exitCode()).isZero();
        assertThat(run("{\"parameters\": {\"exit\": 1}}", script, "c.state", "st1").exitCode()).isEqualTo(1);
        assertThat(run("{}", script, "c.state", "st1").exitCode()).isZero();
        assertThat(run("{}", script, "c.state", "other-config").exitCode()).isZero();
        assertThat(logLines.stream().filter(l -> l.startsWith("INFO STATE")).toList())
                .containsExactly("INFO STATE {}", "INFO STATE {\"n\": 1}", "INFO STATE {\"n\": 2}", "INFO STATE {\"n\": 2}",
                        "INFO STATE {}");
    }

    @Test
    void timeoutKillsTheProcessTree() throws IOException {
        long start = System.nanoTime();
        RunResult r = run("{}", "import subprocess\nsubprocess.Popen(['sleep', '30'])\nimport time\ntime.sleep(30)\n",
                RunRequest.of(null, "slow", "t", null, null, Duration.ofSeconds(2)));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.message()).isEqualTo("Running slow container exceeded the timeout of 2 seconds.");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void hundredOutputTables() throws IOException {
        String script = """
                for i in range(100):
                    open(D + 'out/tables/t%03d.csv' % i, 'w').write('id,v\\n%d,x\\n' % i)
                    json.dump({'destination': 'out.c-many.t%03d' % i, 'primary_key': ['id']},
                              open(D + 'out/tables/t%03d.csv.manifest' % i, 'w'))
                """;
        long start = System.nanoTime();
        RunResult r = run("{}", script, "c", "many");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println("100-table output took " + took.toMillis() + " ms");
        Files.writeString(Path.of("target", "hundred-tables.txt"), took.toMillis() + " ms\n");
        assertThat(r.message()).isNull();
        assertThat(r.tables()).hasSize(100);
        assertThat(rows("out.c-many.t042")).containsExactly("42,x");
        // The time is recorded, not asserted: under a loaded CI machine it says nothing about the runner.
        assertThat(rows("out.c-many.t099")).containsExactly("99,x");
    }

    /** A local input staging that also gives the component what a workspace would, and counts its closes. */
    static final class RecordingStaging implements InputStaging {
        final InputStaging local;
        final java.util.concurrent.atomic.AtomicInteger closes = new java.util.concurrent.atomic.AtomicInteger();

        RecordingStaging(StagingContext context) {
            this.local = Staging.open(StagingModes.LOCAL, context).input();
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void stageTables(List<InputTable> tables) throws IOException {
            local.stageTables(tables);
        }

        @Override
        public java.util.Map<String, String> environment() {
            return java.util.Map.of("X_STAGING_ENDPOINT", "http://staging.example");
        }

        @Override
        public com.fasterxml.jackson.databind.node.ObjectNode authorization() {
            com.fasterxml.jackson.databind.node.ObjectNode a = Json.object();
            a.putObject("workspace").put("schema", "WORKSPACE_1").put("password", "ws-pa55");
            return a;
        }

        @Override
        public java.util.Set<String> secrets() {
            return java.util.Set.of("ws-pa55");
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void theStagingReachesTheComponentAndIsClosedOnceWhateverEndsTheRun() throws IOException {
        List<RecordingStaging> made = Collections.synchronizedList(new ArrayList<>());
        Staging.Factory recording = (modes, context) -> {
            RecordingStaging in = new RecordingStaging(context);
            made.add(in);
            return new Staging(in, Staging.open(modes, context).output());
        };
        String script = """
                cfg = json.load(open(D + 'config.json'))
                assert os.environ['X_STAGING_ENDPOINT'] == 'http://staging.example', os.environ
                ws = cfg['authorization']['workspace']
                print('WORKSPACE', ws['schema'], ws['password'])
                mode = cfg['parameters'].get('mode', 'ok')
                if mode == 'fail':
                    sys.exit('failed with ' + ws['password'])
                if mode == 'slow':
                    import time
                    time.sleep(30)
                """;
        RunRequest base = RunRequest.of(null, "c.staging", "stg", null, null, Duration.ofSeconds(2));
        RunResult ok = run("{}", script, base, recording);
        assertThat(ok.message()).isNull();
        assertThat(logLines).contains("INFO WORKSPACE WORKSPACE_1 [hidden]").noneMatch(l -> l.contains("ws-pa55"));
        RunResult failed = run("{\"parameters\": {\"mode\": \"fail\"}}", script, base, recording);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.message()).isEqualTo("failed with [hidden]");
        RunResult slow = run("{\"parameters\": {\"mode\": \"slow\"}}", script, base, recording);
        assertThat(slow.message()).isEqualTo("Running c.staging container exceeded the timeout of 2 seconds.");
        assertThat(made).hasSize(3);
        assertThat(made).allSatisfy(s -> assertThat(s.closes).as("closed once, before run() returned").hasValue(1));
    }
}
