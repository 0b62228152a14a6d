package io.scarcity.plugins.governance;

import static io.scarcity.plugins.governance.Fixtures.SCHEMA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.scarcity.api.ConfigException;
import io.scarcity.api.DataSchema;
import io.scarcity.api.Expert;
import io.scarcity.api.ExpertFactory;
import io.scarcity.api.InMemorySignalBoard;
import io.scarcity.api.PluginConfig;
import io.scarcity.api.RowFilter;
import io.scarcity.api.Task;
import io.scarcity.api.testing.PluginTestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GovernanceExpertFactoryTest {
    private static final Map<String, Object> RANGE = Map.of("type", "range", "feature", "a", "min", 0);

    private static ConfigException fails(Map<String, ?> config) {
        return fails(Fixtures.context(), config);
    }

    private static ConfigException fails(Fixtures.TestContext context, Map<String, ?> config) {
        return assertThrows(ConfigException.class,
                () -> new GovernanceExpertFactory().create(PluginConfig.of("experts[1].config", config), context));
    }

    /** The config with {@code rule} as rules[2], after two good rules. */
    private static Map<String, Object> third(Map<String, ?> rule) {
        return Map.of("rules", List.of(RANGE, Map.of("type", "required", "feature", "b"), rule));
    }

    private static Map<String, Object> rule(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void isRegisteredUnderItsName() {
        PluginTestKit.assertTheOnlyFactory(ExpertFactory.class, GovernanceExpertFactory.class, "governance");
    }

    @Test
    void defaultsAndCapabilities() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("rules", List.of(RANGE)));
        Options o = Options.from(config, SCHEMA, Path.of("."));
        assertEquals(1000, o.window());
        assertEquals(0.05, o.maxViolationRate());
        assertEquals(100, o.minRows());
        assertEquals(10, o.sampleSize());
        assertEquals("range-a: a >= 0.0 (max rate NaN)", o.rules().get(0).describe());
        Expert e = new GovernanceExpertFactory().create(PluginConfig.of("x", Map.of("rules", List.of(RANGE))), Fixtures.context());
        assertInstanceOf(RowFilter.class, e);
        assertFalse(e.capabilities().predicts());
        assertFalse(e.capabilities().gossipable());
        assertEquals(Set.of("governance.violation-rate", "governance.alert"), e.capabilities().writes());
        // a small window lowers the default minRows with it
        assertEquals(20, Options.from(PluginConfig.of("", Map.of("window", 20, "rules", List.of(RANGE))), SCHEMA, Path.of(".")).minRows());
    }

    @Test
    void readsEveryOptionAndEveryRuleKey() {
        PluginConfig config = PluginConfig.of("experts[1].config", Map.of("window", 500, "maxViolationRate", 0.1,
                "minRows", 50, "sampleSize", 4, "rules", List.of(
                        rule("type", "range", "name", "a-range", "feature", "a", "min", -1, "max", 1, "maxViolationRate", 0.01),
                        rule("type", "required", "features", List.of("a", "b")),
                        rule("type", "allowed", "feature", "d", "values", List.of(1, 2)),
                        rule("type", "allowed", "label", List.of("ok", "warn")),
                        rule("type", "compare", "left", "a", "op", "<=", "right", "b"),
                        rule("type", "compare", "left", "c", "op", "gt", "value", 0.5))));
        Options o = Options.from(config, SCHEMA, Path.of("."));
        assertTrue(config.unreadKeys().isEmpty(), config.unreadKeys().toString());
        assertEquals(new Options(o.rules(), 500, 0.1, 50, 4), o);
        assertEquals(List.of("a-range: a in [-1.0, 1.0] (max rate 0.01)", "required-a-b: a, b are finite (max rate NaN)",
                "allowed-d: d in {1.0, 2.0} (max rate NaN)", "allowed-label: label in {ok, warn} (max rate NaN)",
                "compare-a-le-b: a <= b (max rate NaN)", "compare-c-gt-0.5: c > 0.5 (max rate NaN)"),
                o.rules().stream().map(Rule::describe).toList());
    }

    @Test
    void defaultNamesNeverTakeAnExplicitNameOrEachOther() {
        Options o = Options.from(PluginConfig.of("", Map.of("rules", List.of(RANGE, rule("type", "range", "feature", "a", "max", 9),
                rule("type", "range", "name", "range-a-2", "feature", "b", "min", 0)))), SCHEMA, Path.of("."));
        assertEquals(List.of("range-a", "range-a-3", "range-a-2"), o.rules().stream().map(Rule::name).toList());
    }

    @Test
    void unknownFeatureNamesTheRuleAndListsTheFeatures() {
        ConfigException e = fails(third(rule("type", "range", "name", "temp-range", "feature", "tmp", "min", 0)));
        assertEquals("experts[1].config.rules[2].feature", e.path());
        assertEquals("experts[1].config.rules[2].feature: rule 'temp-range': unknown feature 'tmp'; features are: a, b, c, d",
                e.getMessage());
        // unnamed: the path names it
        assertEquals("experts[1].config.rules[0].left: unknown feature 'x'; features are: a, b, c, d",
                fails(Map.of("rules", List.of(rule("type", "compare", "left", "x", "op", "<", "value", 1)))).getMessage());
        assertEquals("experts[1].config.rules[0].features: unknown feature 'e'; features are: a, b, c, d",
                fails(Map.of("rules", List.of(rule("type", "required", "features", List.of("a", "e"))))).getMessage());
    }

    @Test
    void minAboveMaxIsRefused() {
        ConfigException e = fails(third(rule("type", "range", "name", "t", "feature", "a", "min", 5, "max", 3)));
        assertEquals("experts[1].config.rules[2].min: rule 't': min 5.0 > max 3.0; swap them or fix one", e.getMessage());
    }

    @Test
    void unknownRuleTypeListsTheKnownOnes() {
        ConfigException e = fails(third(rule("type", "rnage", "name", "temp-range", "feature", "a")));
        assertEquals("experts[1].config.rules[2].type: rule 'temp-range': unknown rule type 'rnage'; known: range, required, "
                + "allowed, compare", e.getMessage());
        assertEquals("experts[1].config.rules[0].type: missing; set type to one of range, required, allowed, compare",
                fails(Map.of("rules", List.of(rule("feature", "a")))).getMessage());
    }

    @Test
    void unknownOperatorListsTheKnownOnes() {
        ConfigException e = fails(third(rule("type", "compare", "left", "a", "op", "=<", "right", "b")));
        assertEquals("experts[1].config.rules[2].op: unknown operator '=<'; known: <=, <, >=, >, ==, != (or le, lt, ge, gt, eq, ne) "
                + "(quote symbols in YAML: op: \">=\")", e.getMessage());
    }

    @Test
    void everyOtherMistakeIsNamed() {
        Map<Map<String, Object>, String> cases = new LinkedHashMap<>();
        cases.put(rule("type", "range", "feature", "a"), "rules[2].min: a range needs min, max or both");
        cases.put(rule("type", "range", "min", 0), "rules[2].feature: missing; name a feature (features are: a, b, c, d)");
        cases.put(rule("type", "range", "feature", "a", "min", 0, "maxViolationRate", 1.5), "rules[2].maxViolationRate: must be in [0, 1], got 1.5");
        cases.put(rule("type", "range", "name", "has space", "feature", "a", "min", 0), "rules[2].name: rule name 'has space' must start");
        cases.put(rule("type", "required", "feature", "a", "features", List.of("b")), "rules[2].features: give feature (one) or features (a list), not both");
        cases.put(rule("type", "required", "features", List.of("a", "a")), "rules[2].features: lists 'a' twice");
        cases.put(rule("type", "required", "features", List.of()), "rules[2].features: is empty");
        cases.put(rule("type", "allowed", "feature", "d"), "rules[2].values: missing; list the allowed values of 'd'");
        cases.put(rule("type", "allowed", "feature", "d", "values", List.of()), "rules[2].values: is empty");
        cases.put(rule("type", "allowed", "label", List.of("ok", "fine")), "rules[2].label: unknown class 'fine'; classes are: ok, warn, bad");
        cases.put(rule("type", "allowed", "label", List.of("ok"), "feature", "a"), "rules[2].label: give feature (with values) or label");
        cases.put(rule("type", "compare", "left", "a", "op", "<"), "rules[2].right: missing; compare 'a' with a feature (right: name) or a number (value: 5)");
        cases.put(rule("type", "compare", "left", "a", "op", "<", "right", "b", "value", 1), "rules[2].value: give right (a feature) or value (a number), not both");
        cases.put(rule("type", "compare", "left", "a", "op", "<", "right", "a"), "rules[2].right: compares 'a' with itself");
        cases.put(rule("type", "compare", "left", "a", "right", "b"), "rules[2].op: missing; set op to one of <=");
        cases.forEach((r, expected) -> {
            ConfigException e = fails(third(r));
            assertTrue(e.getMessage().startsWith("experts[1].config." + expected), r + " -> " + e.getMessage());
        });
    }

    @Test
    void ruleNamesMustBeUnique() {
        assertEquals("experts[1].config.rules[2].name: name 'x' is already used by rules[0]; rule names must be unique",
                fails(Map.of("rules", List.of(rule("type", "range", "name", "x", "feature", "a", "min", 0), RANGE,
                        rule("type", "range", "name", "x", "feature", "b", "min", 0)))).getMessage());
    }

    @Test
    void aLabelRuleNeedsAClassificationStream() {
        DataSchema regression = new DataSchema(List.of("a"), Task.REGRESSION, null);
        ConfigException e = fails(new Fixtures.TestContext(regression, Path.of(".")),
                Map.of("rules", List.of(rule("type", "allowed", "label", List.of("ok")))));
        assertEquals("experts[1].config.rules[0].label: the stream's task is regression, which has no classes; label rules need "
                + "a classification stream", e.getMessage());
    }

    @Test
    void badTopLevelOptionsAreNamed() {
        assertEquals("experts[1].config.rules: no rules; list them under rules, or give a constraints file with file",
                fails(Map.of()).getMessage());
        assertTrue(fails(Map.of("window", 0, "rules", List.of(RANGE))).getMessage().startsWith("experts[1].config.window: must be a whole number in [1, "));
        assertTrue(fails(Map.of("maxViolationRate", -0.1, "rules", List.of(RANGE))).getMessage().startsWith("experts[1].config.maxViolationRate:"));
        assertEquals("experts[1].config.minRows: must be in [1, window = 50], got 60",
                fails(Map.of("window", 50, "minRows", 60, "rules", List.of(RANGE))).getMessage());
        assertTrue(fails(Map.of("sampleSize", -1, "rules", List.of(RANGE))).getMessage().startsWith("experts[1].config.sampleSize:"));
        assertTrue(fails(Map.of("rules", "range a")).getMessage().startsWith("experts[1].config.rules: expected a list of mappings"));
    }

    @Test
    void rulesFromAFileResolveAgainstTheConfigFolderAndAddToInlineOnes(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("rules"));
        Files.writeString(dir.resolve("rules/constraints.yaml"), """
                # per-site constraints
                rules:
                  - {type: range, name: c-range, feature: c, min: 0, max: 1}
                  - type: compare
                    left: a
                    op: ">="
                    right: b
                  - {type: allowed, label: [ok, warn]}
                """);
        Fixtures.TestContext context = new Fixtures.TestContext(SCHEMA, dir);
        GovernanceExpert e = Fixtures.expert(context, Map.of("file", "rules/constraints.yaml", "rules", List.of(RANGE)));
        assertEquals(List.of("range-a: a >= 0.0 (max rate NaN)", "c-range: c in [0.0, 1.0] (max rate NaN)",
                "compare-a-ge-b: a >= b (max rate NaN)", "allowed-label: label in {ok, warn} (max rate NaN)"), e.rules());
        boolean[] keep = e.admit(Fixtures.batch(0, new int[] {0, 0, 0, 2, 1},
                Fixtures.row(1, 0, 0.5, 0), Fixtures.row(-1, -2, 0.5, 0), Fixtures.row(1, 0, 2, 0), Fixtures.row(1, 0, 0, 0),
                Fixtures.row(0, 1, 0, 0)), new InMemorySignalBoard());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new boolean[] {true, false, false, false, false}, keep);
    }

    @Test
    void aMistakeInTheFileNamesTheFileAndTheRule(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("constraints.yaml");
        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: 0}\n  - {type: range, name: temp-range, feature: tmp, max: 3}\n");
        Fixtures.TestContext context = new Fixtures.TestContext(SCHEMA, dir);
        ConfigException e = fails(context, Map.of("file", "constraints.yaml"));
        assertEquals("experts[1].config.file", e.path());
        assertEquals("experts[1].config.file: " + file + ": rules[1].feature: rule 'temp-range': unknown feature 'tmp'; "
                + "features are: a, b, c, d", e.getMessage());

        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: 5, max: 3}\n");
        assertEquals("experts[1].config.file: " + file + ": rules[0].min: min 5.0 > max 3.0; swap them or fix one",
                fails(context, Map.of("file", "constraints.yaml")).getMessage());

        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: 0}\n  - {type: rnage, name: typo, feature: a, min: 0}\n");
        assertEquals("experts[1].config.file: " + file + ": rules[1].type: rule 'typo': unknown rule type 'rnage'; known: range, "
                + "required, allowed, compare", fails(context, Map.of("file", "constraints.yaml")).getMessage());

        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: 0, mx: 3}\n");
        assertEquals("experts[1].config.file: " + file + ": rules[0].mx: unknown key; keys read here: feature, max, "
                + "maxViolationRate, min, name, type", fails(context, Map.of("file", "constraints.yaml")).getMessage());

        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: zero}\n");
        assertEquals("experts[1].config.file: " + file + ": rules[0].min: expected a finite number, got 'zero'",
                fails(context, Map.of("file", "constraints.yaml")).getMessage());

        Files.writeString(file, "rules:\n  - {type: range, name: x, feature: a, min: 0}\n");
        assertEquals("experts[1].config.file: " + file + ": rules[0].name: name 'x' is already used by rules[0]; rule names must be unique",
                fails(context, Map.of("file", "constraints.yaml", "rules", List.of(rule("type", "range", "name", "x", "feature", "b", "min", 0))))
                        .getMessage());

        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: 0\n");
        assertTrue(fails(context, Map.of("file", "constraints.yaml")).getMessage()
                .startsWith("experts[1].config.file: " + file + ": not valid YAML at line "), "malformed");

        Files.writeString(file, "rules:\n  - {type: range, feature: a, min: 0}\nrules:\n  - {type: required, feature: b}\n");
        String duplicate = fails(context, Map.of("file", "constraints.yaml")).getMessage();
        assertTrue(duplicate.contains("not valid YAML at line 3") && duplicate.contains("Duplicate field 'rules'"), duplicate);

        Files.writeString(file, "rule:\n  - {type: range, feature: a, min: 0}\n");
        assertEquals("experts[1].config.file: " + file + ": has no 'rules:'; list the rules under it",
                fails(context, Map.of("file", "constraints.yaml")).getMessage());

        Files.writeString(file, "# nothing yet\n");
        assertTrue(fails(context, Map.of("file", "constraints.yaml")).getMessage().endsWith(": is empty; it should hold 'rules:' "
                + "with a list of rules, e.g. rules: [{type: range, feature: f1, min: 0}]"));

        assertEquals("experts[1].config.file: " + dir.resolve("missing.yaml") + ": the constraints file does not exist",
                fails(context, Map.of("file", "missing.yaml")).getMessage());
    }

    @Test
    void withoutASchemaTheFactoryNamesTheKeyInsteadOfThrowingAnInternalError() {
        io.scarcity.api.testing.PluginTestKit.assertNeedsASchema(new GovernanceExpertFactory());
    }
}
