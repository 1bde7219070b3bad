package io.granary.runner;

import static io.granary.runner.OutputTableResolverTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The delete rules of an output (spec 3.6): parsed into typed records, rendered as Storage's DELETE rows bodies. */
class DeleteRuleTest {

    static final String PREPARE = "Failed to prepare mapping configuration for table t.csv: ";

    static List<DeleteRule> rules(String merged) {
        return DeleteRule.of(PREPARE, json(merged), null);
    }

    static final DeleteRule.StorageValues NO_STORAGE = source -> {
        throw new AssertionError("no Storage read expected");
    };

    @Test
    void legacyTripleBecomesOneRequest() throws IOException {
        List<DeleteRule> rules = rules("{\"delete_where_column\": \"region\", \"delete_where_values\": [\"eu\", \"us\"],"
                + " \"delete_where_operator\": \"ne\"}");
        assertThat(rules).containsExactly(new DeleteRule.ByColumn("region", "ne", List.of("eu", "us")));
        Map<String, Object> body = rules.get(0).body(NO_STORAGE);
        assertThat(body).containsExactly(Map.entry("whereColumn", "region"), Map.entry("whereOperator", "ne"),
                Map.entry("whereValues", List.of("eu", "us")));
        assertThat(DeleteRule.matchesNothing(body)).isFalse();
    }

    @Test
    void deleteWhereItemsAreTypedAndStorageValuesAreReadWhenRendered() throws IOException {
        List<DeleteRule> rules = rules("""
                {"delete_where": [
                  {"changed_since": "-7 days", "where_filters": [
                     {"column": "region", "values_from_set": ["us"]},
                     {"column": "code", "operator": "ne", "values_from_storage": {"bucket_id": "in.c-dw", "table": "regions"}}]},
                  {"changed_until": "2024-01-01"}]}""");
        DeleteRule.Where first = (DeleteRule.Where) rules.get(0);
        assertThat(first.changedSince()).isEqualTo("-7 days");
        assertThat(first.changedUntil()).isNull();
        assertThat(first.filters()).containsExactly(
                new DeleteRule.Filter("region", "eq", new DeleteRule.FromSet(List.of("us"))),
                new DeleteRule.Filter("code", "ne", new DeleteRule.FromStorage("in.c-dw.regions", "code")));
        assertThat(rules.get(1)).isEqualTo(new DeleteRule.Where(null, "2024-01-01", List.of()));

        Map<String, Object> body = first.body(source -> List.of(source.tableId() + "/" + source.column()));
        assertThat(body).containsExactly(Map.entry("changedSince", "-7 days"), Map.entry("whereFilters", List.of(
                Map.of("column", "region", "operator", "eq", "values", List.of("us")),
                Map.of("column", "code", "operator", "ne", "values", List.of("in.c-dw.regions/code")))));
        assertThat(rules.get(1).body(NO_STORAGE)).as("no filters: no whereFilters key")
                .containsExactly(Map.entry("changedUntil", "2024-01-01"));
    }

    @Test
    void anEqFilterOnNoValuesDeletesNothing() throws IOException {
        DeleteRule rule = rules("{\"delete_where\": [{\"where_filters\": [{\"column\": \"c\", \"values_from_storage\":"
                + " {\"bucket_id\": \"in.c-a\", \"table\": \"empty\", \"column\": \"x\"}}]}]}").get(0);
        assertThat(DeleteRule.matchesNothing(rule.body(source -> List.of()))).isTrue();
        DeleteRule ne = rules("{\"delete_where\": [{\"where_filters\": [{\"column\": \"c\", \"operator\": \"ne\","
                + " \"values_from_set\": []}]}]}").get(0);
        assertThat(DeleteRule.matchesNothing(ne.body(NO_STORAGE))).isFalse();
    }

    @Test
    void valuesFromWorkspaceNeedAWorkspaceStaging() throws IOException {
        String merged = "{\"delete_where\": [{\"where_filters\": [{\"column\": \"c\", \"values_from_workspace\":"
                + " {\"table\": \"ids\"}}]}]}";
        assertThatThrownBy(() -> rules(merged)).isInstanceOf(UserException.class).hasMessage(PREPARE
                + "\"values_from_workspace\" in \"delete_where\" needs a workspace; this runner stages locally. Use"
                + " \"values_from_set\" or \"values_from_storage\".");
        DeleteRule rule = DeleteRule.of(PREPARE, json(merged), "ws-7").get(0);
        assertThat(((DeleteRule.Where) rule).filters().get(0).values()).isEqualTo(new DeleteRule.FromWorkspace("ws-7", "ids", "c"));
        assertThat(rule.body(NO_STORAGE).get("whereFilters")).isEqualTo(List.of(Map.of("column", "c", "operator", "eq",
                "valuesByTableInWorkspace", Map.of("workspaceId", "ws-7", "table", "ids", "column", "c"))));
    }

    @Test
    void invalidRulesAreRefusedWithTheirTexts() {
        assertThatThrownBy(() -> rules("{\"delete_where\": [{}]}")).hasMessage(PREPARE
                + "Each \"delete_where\" item needs at least one of \"changed_since\", \"changed_until\" or \"where_filters\".");
        assertThatThrownBy(() -> rules("{\"delete_where\": [{\"where_filters\": [{\"values_from_set\": [\"a\"]}]}]}"))
                .hasMessage(PREPARE + "The \"column\" of a \"where_filters\" item is required.");
        assertThatThrownBy(() -> rules("{\"delete_where\": [{\"where_filters\": [{\"column\": \"c\", \"values_from_set\": [],"
                + " \"values_from_storage\": {}}]}]}")).hasMessage(PREPARE + "A \"where_filters\" item needs exactly one of"
                + " \"values_from_set\", \"values_from_storage\" or \"values_from_workspace\".");
        assertThatThrownBy(() -> rules("{\"delete_where\": [{\"where_filters\": [{\"column\": \"c\", \"operator\": \"gt\","
                + " \"values_from_set\": [\"1\"]}]}]}")).hasMessage(PREPARE + "Invalid delete_where operator \"gt\": use eq or ne.");
        assertThatThrownBy(() -> rules("{\"delete_where\": [{\"where_filters\": [{\"column\": \"c\", \"values_from_storage\":"
                + " {\"table\": \"t\"}}]}]}")).hasMessage(PREPARE + "\"values_from_storage\" needs \"bucket_id\" and \"table\".");
    }

    @Test
    void theResolverRefusesTwoKindsOfDeletesAndAColumnWithoutValues() {
        OutputTableResolver resolver = new OutputTableResolver((level, message) -> { }, null, OutputStaging.Rules.LOCAL);
        OutputSource source = new OutputSource("t.csv", null, false, List.of());
        assertThatThrownBy(() -> resolver.resolve(source, json("{\"destination\": \"in.c-a.t\", \"delete_where_column\": \"a\","
                + " \"delete_where_values\": [\"1\"], \"delete_where\": [{\"changed_since\": \"-1 days\"}]}"), null))
                .hasMessage(PREPARE + "Only one of \"delete_where_column\" or \"delete_where\" can be defined.");
        assertThatThrownBy(() -> resolver.resolve(source, json("{\"destination\": \"in.c-a.t\", \"delete_where_column\": \"a\"}"),
                null)).hasMessage(PREPARE + "When \"delete_where_column\" option is set, then the \"delete_where_values\" is required.");
    }
}
