package io.github.chakrakafkapipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Validates every {@code routes/*.camel.yaml} against the Camel YAML DSL's own JSON schema: the
 * {@code schema/camelYamlDsl.json} inside the camel-yaml-dsl jar that runs the routes, so it follows the Camel version
 * of the pom. The schema knows every DSL element and option, and so catches a misspelled or unknown key, a step that
 * does not exist, a value of the wrong type, a missing {@code from} or {@code uri}, an item that is not one of the
 * DSL's top-level kinds. It is the check of Camel's camel-yaml-dsl-validator and its Maven plugin, with the same schema
 * library; the pom says why this test stands in for them. What the schema allows but the house does not is
 * {@link RoutesLintTest}'s job.
 *
 * <p>The files are validated as Camel reads them: every scalar is text that Camel converts to the option's type once
 * the {@code {{placeholders}}} are resolved. Checked as typed YAML, the schema would reject what Camel runs, such as
 * {@code constant: true} (a boolean where it wants a string) or {@code maximumRedeliveries: "{{chakra.http.retry.max}}"}
 * (a string where it wants a number).
 */
class RoutesSchemaTest {

    private static final Path ROUTES = Path.of("routes");
    private static final Path CONFIG = Path.of("config/application.properties");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}:]+)(?::([^{}]*))?}}");
    private static final JsonSchema CAMEL_YAML_DSL = loadSchema();
    /** A "required" that belongs to one alternative of a choice: each language of an expression is one. */
    private static final Pattern ALTERNATIVE = Pattern.compile("/(anyOf|oneOf)/\\d+/required$");
    private static final Set<String> COMBINATORS = Set.of("oneOf", "anyOf", "allOf", "not");

    @Test
    void every_route_file_follows_the_camel_yaml_dsl_schema() throws IOException {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(CONFIG)) {
            config.load(reader);
        }
        List<String> problems = new ArrayList<>();
        List<Path> files = routeFiles();
        // an empty folder would pass without checking anything
        assertFalse(files.isEmpty(), "no *.camel.yaml file in " + ROUTES.toAbsolutePath());
        for (Path file : files) {
            problems.addAll(schemaProblems(file.getFileName().toString(), Files.readString(file), config));
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s) against the Camel YAML DSL schema:\n  "
                + String.join("\n  ", problems));
    }

    @Test
    void rejects_a_misspelled_key_an_unknown_step_or_language_and_a_value_of_the_wrong_type() {
        assertEquals(List.of(
                        "typo.camel.yaml: /0/route/from/steps/0/setHeader: property 'nmae' is not defined in the schema"
                                + " and the schema does not allow additional properties",
                        "typo.camel.yaml: /0/route/from/steps/0/setHeader: required property 'name' not found",
                        "typo.camel.yaml: /0/route/from/steps/1: property 'sendTo' is not defined in the schema and the"
                                + " schema does not allow additional properties",
                        "typo.camel.yaml: /0/route/from/steps/2/split/parallelProcessing: string found, boolean expected",
                        "typo.camel.yaml: /0/route/from/steps/3/setBody/expression: needs one of constant, csimple,"
                                + " datasonnet, exchangeProperty, groovy, header, hl7terser, java, joor, jq, js, jsonpath,"
                                + " language, method, mvel, ognl, python, ref, simple, spel, tokenize, variable, wasm, xpath,"
                                + " xquery, xtokenize; found {\"simpel\":\"${body}\"}"),
                schemaProblems("typo.camel.yaml", """
                        - route:
                            id: typo
                            from:
                              uri: direct:typo
                              steps:
                                - setHeader:
                                    nmae: x
                                    expression:
                                      constant: true
                                - sendTo:
                                    uri: direct:next
                                - split:
                                    parallelProcessing: sometimes
                                    expression:
                                      simple: "${body}"
                                    steps:
                                      - to:
                                          uri: direct:each
                                - setBody:
                                    expression:
                                      simpel: "${body}"
                        """, new Properties()));
    }

    @Test
    void reads_a_placeholder_as_the_value_it_resolves_to() {
        String route = """
                - routeConfiguration:
                    id: errors
                    onException:
                      - onException:
                          exception:
                            - java.io.IOException
                          redeliveryPolicy:
                            maximumRedeliveries: "{{retries}}"
                """;
        Properties config = new Properties();
        config.setProperty("retries", "3");
        assertEquals(List.of(), schemaProblems("errors.camel.yaml", route, config));
        config.setProperty("retries", "three");
        assertEquals(List.of("errors.camel.yaml: /0/routeConfiguration/onException/0/onException/redeliveryPolicy"
                        + "/maximumRedeliveries: string found, number expected"),
                schemaProblems("errors.camel.yaml", route, config));
    }

    /** One message per schema violation, starting with the file name and the JSON pointer of the offending node. */
    static List<String> schemaProblems(String name, String yaml, Properties config) {
        Object parsed;
        try {
            // snakeyaml-engine is the parser Camel loads the routes with; it rejects duplicate keys
            parsed = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            return List.of(name + ": is not valid YAML: " + e.getMessage());
        }
        JsonNode routes = new ObjectMapper().valueToTree(asCamelReadsIt(parsed, config));
        return report(name, CAMEL_YAML_DSL.validate(routes));
    }

    /**
     * The schema's messages, cut down to those that point at the mistake. Every step and expression is a choice
     * (oneOf/anyOf) in the schema, so one wrong node also fails each alternative, at the node and at every node above
     * it: dozens of lines that would bury the one that matters.
     */
    private static List<String> report(String name, Collection<ValidationMessage> messages) {
        Map<String, List<ValidationMessage>> byLocation = new TreeMap<>();
        messages.forEach(m -> byLocation.computeIfAbsent(m.getInstanceLocation().toString(), k -> new ArrayList<>()).add(m));
        List<String> problems = new ArrayList<>();
        byLocation.forEach((location, here) -> {
            // a problem further down explains why this node failed its alternatives
            if (byLocation.keySet().stream().anyMatch(other -> other.startsWith(location + "/"))) {
                return;
            }
            Set<String> lines = new TreeSet<>();
            Set<String> alternatives = new TreeSet<>();
            for (ValidationMessage message : here) {
                if (message.getType().equals("required") && ALTERNATIVE.matcher(message.getEvaluationPath().toString()).find()) {
                    alternatives.add(message.getProperty());
                } else if (!COMBINATORS.contains(message.getType())) {
                    lines.add(name + ": " + message.getMessage());
                }
            }
            if (!alternatives.isEmpty()) {
                lines.add(name + ": " + location + ": needs one of " + String.join(", ", alternatives) + "; found "
                        + here.get(0).getInstanceNode());
            }
            if (lines.isEmpty()) { // nothing but the failed choice itself
                here.forEach(message -> lines.add(name + ": " + message.getMessage()));
            }
            problems.addAll(lines);
        });
        return problems;
    }

    /** The parsed YAML with every scalar as its text, placeholders resolved from the config (or their default). */
    private static Object asCamelReadsIt(Object node, Properties config) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> text = new LinkedHashMap<>();
            map.forEach((key, value) -> text.put(String.valueOf(key), asCamelReadsIt(value, config)));
            return text;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(element -> asCamelReadsIt(element, config)).toList();
        }
        return node == null ? null : resolve(String.valueOf(node), config);
    }

    /** Resolves {@code {{key}}} and {@code {{key:default}}}, also within a value; an unknown one stays as written. */
    private static String resolve(String text, Properties config) {
        Matcher placeholder = PLACEHOLDER.matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (placeholder.find()) {
            String value = config.getProperty(placeholder.group(1),
                    placeholder.group(2) != null ? placeholder.group(2) : placeholder.group());
            placeholder.appendReplacement(resolved, Matcher.quoteReplacement(value));
        }
        placeholder.appendTail(resolved);
        return resolved.toString();
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = RoutesSchemaTest.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            if (in == null) {
                throw new IllegalStateException("schema/camelYamlDsl.json is not on the classpath: is camel-yaml-dsl?");
            }
            JsonNode schema = new ObjectMapper().readTree(in);
            // the schema is draft-04; its "deprecated" marks are documentation, not a rule to apply
            JsonMetaSchema draft4 = JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keyword(new NonValidationKeyword("deprecated"))
                    .build();
            JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
                    builder -> builder.metaSchema(draft4));
            // typeLoose: text where the schema wants a number or a boolean passes if it reads as one, as in Camel
            return factory.getSchema(schema, SchemaValidatorsConfig.builder()
                    .locale(Locale.ENGLISH)
                    .typeLoose(true)
                    .build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> routeFiles() throws IOException {
        try (Stream<Path> paths = Files.list(ROUTES)) {
            return paths.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList();
        }
    }
}
