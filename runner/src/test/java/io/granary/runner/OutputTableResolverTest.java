package io.granary.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Merge, destination and validation of output tables (spec 3.3 – 3.5) on their own: no server, no files. */
class OutputTableResolverTest {

    final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    final RunLog log = (level, message) -> warnings.add(level + " " + message);

    OutputTableResolver resolver(String defaultBucket) {
        return new OutputTableResolver(log, defaultBucket, OutputStaging.Rules.LOCAL);
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A mapping entry as the runner sees it: normalised by {@link Config}, every default present. */
    static OutputTableMapping mapping(String item) {
        return Config.parse(json("{\"storage\": {\"output\": {\"tables\": [" + item + "]}}}")).outputTables().get(0);
    }

    static OutputSource file(String name) {
        return new OutputSource(name, null, false, List.of());
    }

    TableOutput resolve(String defaultBucket, String source, String manifest, String mapping) {
        return resolver(defaultBucket).resolve(file(source), manifest == null ? Json.object() : json(manifest),
                mapping == null ? null : mapping(mapping));
    }

    // ------------------------------------------------------------------ destination (3.4)

    @Test
    void destinationPrecedenceIsMappingThenManifestThenFileName() {
        assertThat(resolve("in.c-def", "t.csv", "{\"destination\": \"out.c-m.from-manifest\"}",
                "{\"source\": \"t.csv\", \"destination\": \"out.c-x.from-mapping\"}").destination())
                .isEqualTo("out.c-x.from-mapping");
        assertThat(resolve("in.c-def", "t.csv", "{\"destination\": \"out.c-m.from-manifest\"}", null).destination())
                .as("a full id in the manifest ignores the default bucket").isEqualTo("out.c-m.from-manifest");
        assertThat(resolve("in.c-def", "t.csv", "{\"destination\": \"renamed\"}", null).destination())
                .isEqualTo("in.c-def.renamed");
        assertThat(resolve("in.c-def", "plain.csv", null, null).destination()).isEqualTo("in.c-def.plain");
        assertThat(warnings).isEmpty();
    }

    @Test
    void fileNameWithATableIdIsUsedWithADeprecationWarning() {
        assertThat(resolve("in.c-def", "out.c-data.my-table.csv", null, null).destination()).isEqualTo("out.c-data.my-table");
        assertThat(warnings).containsExactly("WARNING Source table \"out.c-data.my-table.csv\" has neither manifest file nor"
                + " mapping set, falling back to the source name as a destination.This behaviour was DEPRECATED and will be"
                + " removed in the future.");
    }

    @Test
    void unresolvableDestinationsAreRefusedWithKeboolasTexts() {
        assertThatThrownBy(() -> resolve(null, "bare.csv", null, null)).isInstanceOf(UserException.class)
                .hasMessage("Failed to resolve destination for output table \"bare.csv\".");
        assertThatThrownBy(() -> resolve("out.c-err", "t.csv", null, "{\"source\": \"t.csv\", \"destination\": \"t\"}"))
                .as("a bare name in the mapping is never combined with the default bucket")
                .hasMessage("Failed to resolve destination for output table \"t.csv\".");
        assertThatThrownBy(() -> resolve("out.c-err", "t.csv", "{\"destination\": \"a.b\"}", null))
                .hasMessage("Failed to resolve valid destination. \"out.c-err.a.b\" is not a valid table ID.");
        assertThatThrownBy(() -> resolve("out.c-err", "a.b.c.csv.gz", null, null))
                .as("only a single trailing .csv is stripped")
                .hasMessage("Failed to resolve valid destination. \"out.c-err.a.b.c.csv.gz\" is not a valid table ID.");
        assertThatThrownBy(() -> resolve(null, "t.csv", "{\"destination\": \"in..t\"}", null))
                .hasMessage("Failed to resolve valid destination. \"in..t\" is not a valid table ID.");
    }

    // ------------------------------------------------------------------ merge (3.3)

    @Test
    void defaultValuedMappingKeysNeverOverrideTheManifest() {
        TableOutput o = resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"incremental\": true, \"delimiter\": \";\"}",
                "{\"source\": \"t.csv\"}");
        assertThat(o.incremental()).isTrue();
        assertThat(o.delimiter()).isEqualTo(";");
        assertThat(o.enclosure()).isEqualTo("\"");

        TableOutput over = resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"delimiter\": \";\"}",
                "{\"source\": \"t.csv\", \"delimiter\": \"|\", \"incremental\": true}");
        assertThat(over.delimiter()).isEqualTo("|");
        assertThat(over.incremental()).isTrue();
    }

    @Test
    void aMappingPrimaryKeyReplacesTheManifestsEvenWhenEmpty() {
        String manifest = "{\"destination\": \"in.c-a.t\", \"primary_key\": [\"id\"], \"columns\": [\"id\", \"name\"]}";
        assertThat(resolve(null, "t.csv", manifest, null).primaryKey()).containsExactly("id");
        assertThat(resolve(null, "t.csv", manifest, "{\"source\": \"t.csv\"}").primaryKey())
                .as("a normalised mapping carries primary_key [] and so removes the manifest's").isEmpty();
        TableOutput o = resolve(null, "t.csv", manifest, "{\"source\": \"t.csv\", \"primary_key\": [\"name\"],"
                + " \"columns\": [\"id\", \"name\", \"city\"]}");
        assertThat(o.primaryKey()).containsExactly("name");
        assertThat(o.columns()).as("mapping columns win").containsExactly("id", "name", "city");
    }

    @Test
    void metadataMergesByKeyWithTheMappingWinning() {
        TableOutput o = resolve(null, "t.csv", """
                {"destination": "in.c-a.t", "metadata": [{"key": "a", "value": "manifest"}, {"key": "b", "value": "kept"}],
                 "column_metadata": {"id": [{"key": "x", "value": "1"}]}}""",
                "{\"source\": \"t.csv\", \"metadata\": [{\"key\": \"a\", \"value\": \"mapping\"}],"
                        + " \"column_metadata\": {\"id\": [{\"key\": \"y\", \"value\": \"2\"}]}}");
        assertThat(o.metadata()).containsExactly(Map.of("key", "a", "value", "mapping"), Map.of("key", "b", "value", "kept"));
        assertThat(o.columnMetadata().get("id")).containsExactly(Map.of("key", "x", "value", "1"),
                Map.of("key", "y", "value", "2"));
    }

    @Test
    void aMappingPrimaryKeyFlagsTheManifestsSchemaColumns() {
        String manifest = "{\"destination\": \"in.c-a.t\", \"schema\": [{\"name\": \"id\"}, {\"name\": \"name\"}]}";
        TableOutput o = resolve(null, "t.csv", manifest, "{\"source\": \"t.csv\", \"primary_key\": [\"id\"]}");
        assertThat(o.columns()).containsExactly("id", "name");
        assertThat(o.primaryKey()).containsExactly("id");
        assertThatThrownBy(() -> resolve(null, "t.csv", manifest, "{\"source\": \"t.csv\", \"primary_key\": [\"nope\"]}"))
                .hasMessage("Failed to prepare mapping configuration for table t.csv: Primary key column \"nope\" not found"
                        + " in manifest file.");
    }

    // ------------------------------------------------------------------ native types (2.3)

    @Test
    void nativeTypesSchemaGivesColumnsKeyAndMetadata() {
        TableOutput o = resolve(null, "n.csv", """
                {"destination": "out.c-meta.n", "manifest_type": "output", "description": "native",
                 "table_metadata": {"owner": "team-a"},
                 "schema": [{"name": "id", "data_type": {"base": {"type": "INTEGER", "length": "10"}}, "nullable": false,
                             "primary_key": true, "metadata": {"KBC.someKey": "v"}},
                            {"name": "name", "description": "the name"}]}""", null);
        assertThat(o.columns()).containsExactly("id", "name");
        assertThat(o.primaryKey()).containsExactly("id");
        assertThat(o.metadata()).containsExactly(Map.of("key", "owner", "value", "team-a"),
                Map.of("key", "KBC.description", "value", "native"));
        assertThat(o.columnMetadata().get("id")).containsExactly(Map.of("key", "KBC.someKey", "value", "v"),
                Map.of("key", "KBC.datatype.basetype", "value", "INTEGER"), Map.of("key", "KBC.datatype.length", "value", "10"),
                Map.of("key", "KBC.datatype.nullable", "value", "0"));
        assertThat(o.columnMetadata().get("name")).containsExactly(Map.of("key", "KBC.description", "value", "the name"));
    }

    @Test
    void schemaExcludesColumnsMetadataAndASecondKey() {
        String prefix = "Failed to prepare mapping configuration for table t.csv: ";
        assertThatThrownBy(() -> resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"schema\": [{\"name\": \"a\"}],"
                + " \"columns\": [\"a\"]}", null)).hasMessage(prefix + "Only one of \"schema\" or \"columns\" can be defined.");
        assertThatThrownBy(() -> resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"schema\": [{\"name\": \"a\"}],"
                + " \"metadata\": [{\"key\": \"k\", \"value\": \"v\"}]}", null))
                .hasMessage(prefix + "Only one of \"schema\" or \"metadata\" can be defined.");
        assertThatThrownBy(() -> resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"schema\": [{\"name\": \"a\","
                + " \"primary_key\": true}], \"primary_key\": [\"a\"]}", null))
                .hasMessage(prefix + "Only one of \"primary_key\" or \"schema[].primary_key\" can be defined.");
        assertThatThrownBy(() -> resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"schema\": [{\"type\": \"x\"}]}", null))
                .hasMessage(prefix + "The child config \"name\" under \"table.schema\" must be configured.");
    }

    // ------------------------------------------------------------------ names and keys (3.5)

    @Test
    void columnNamesAreWebalizedAndKeysNormalised() {
        TableOutput o = resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"columns\": [\"first name\", \"oid\", \"ok\"],"
                + " \"primary_key\": [\"ok\", \"\", \"ok\"]}", null);
        assertThat(o.columns()).containsExactly("first_name", "oid_", "ok");
        assertThat(o.primaryKey()).containsExactly("ok");
        assertThat(warnings).containsExactly("WARNING Column name \"first name\" was webalized to \"first_name\"",
                "WARNING Column name \"oid\" was webalized to \"oid_\"", "WARNING Found empty column name in key array.");
    }

    @Test
    void namesAreSanitisedAsTheOutputMappingDoesAndKeysAfterThem() {
        TableOutput o = resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"columns\": [\" Id \", \"žluťoučký kůň\","
                + " \"webalize | test 😁\", \"__test__\", \"test!!!multiple!!!invalid\", \"đá cuội\"],"
                + " \"primary_key\": [\" Id \", \"Id\"]}", null);
        assertThat(o.columns()).containsExactly("Id", "zlutoucky_kun", "webalize_test", "test", "test_multiple_invalid",
                "da_cuoi");
        assertThat(o.primaryKey()).containsExactly("Id");
        assertThat(warnings).contains("WARNING Column name \" Id \" was webalized to \"Id\"");
    }

    @Test
    void timestampColumnsAreRefusedLocallyAndDroppedByAWorkspaceStaging() {
        String manifest = "{\"destination\": \"out.c-err.t\", \"columns\": [\"a\", \"_timestamp\"],"
                + " \"column_metadata\": {\"_TIMESTAMP\": [{\"key\": \"k\", \"value\": \"v\"}]}}";
        assertThatThrownBy(() -> resolve(null, "t.csv", manifest, null))
                .hasMessage("Failed to process mapping for table t.csv: System columns \"_timestamp\" cannot be imported to"
                        + " the table.");
        TableOutput dropped = new OutputTableResolver(log, null, new OutputStaging.Rules(true, "ws-1"))
                .resolve(file("t"), json(manifest), null);
        assertThat(dropped.columns()).containsExactly("a");
        assertThat(dropped.columnMetadata()).isEmpty();
    }

    @Test
    void slicedSourcesNeedColumnsAndSourcesMayKnowTheirOwn() {
        OutputSource sliced = new OutputSource("s.csv", null, true, List.of());
        assertThatThrownBy(() -> resolver(null).resolve(sliced, json("{\"destination\": \"out.c-err.s\"}"), null))
                .hasMessage("Sliced file \"s.csv\" columns specification missing.");
        TableOutput named = resolver(null).resolve(sliced, json("{\"destination\": \"out.c-a.s\", \"columns\": [\"a\"]}"), null);
        assertThat(named.headless()).isTrue();

        OutputSource workspaceTable = new OutputSource("result", null, false, List.of("id", "total"));
        TableOutput known = resolver("out.c-ws").resolve(workspaceTable, Json.object(), null);
        assertThat(known.destination()).isEqualTo("out.c-ws.result");
        assertThat(known.columns()).as("the staging's own columns when none are configured").containsExactly("id", "total");
        TableOutput configured = resolver("out.c-ws").resolve(workspaceTable, json("{\"columns\": [\"id\"]}"), null);
        assertThat(configured.columns()).containsExactly("id");
    }

    @Test
    void headerHandlingFollowsColumnsAndHasHeader() {
        assertThat(resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\"}", null).headless()).isFalse();
        assertThat(resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"columns\": [\"a\"]}", null).headless()).isTrue();
        TableOutput withHeader = resolve(null, "t.csv", null,
                "{\"source\": \"t.csv\", \"destination\": \"in.c-a.t\", \"columns\": [\"a\"], \"has_header\": true}");
        assertThat(withHeader.headless()).isFalse();
        assertThat(withHeader.hasHeader()).isTrue();
        assertThat(withHeader.bucketId()).isEqualTo("in.c-a");
        assertThat(withHeader.tableName()).isEqualTo("t");
    }

    @Test
    void writeAlwaysAndTagsComeFromTheMergedConfiguration() {
        TableOutput o = resolve(null, "t.csv", "{\"destination\": \"in.c-a.t\", \"tags\": [\"m\"]}",
                "{\"source\": \"t.csv\", \"write_always\": true}");
        assertThat(o.writeAlways()).isTrue();
        assertThat(o.tags()).containsExactly("m");
    }
}
