package io.github.chakrakafkapipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.publish.Publishing;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Lints every {@code routes/*.camel.yaml} against the house rules that Camel's YAML DSL schema does not know, so ops
 * can keep reading the routes as the whole data flow: only route and routeConfiguration items, file name = id, a
 * description on each, ids unique across files, endpoints as {@code uri} + {@code parameters:}, every placeholder defined in the config file,
 * ChakraHQ calls covered by a routeConfiguration, and the names shared with the Java (beans, the target poll property,
 * operations, record headers) taken from its constants. Whether a file is valid Camel YAML DSL at all (known elements and
 * options, camelCase keys, value types) is {@link RoutesSchemaTest}'s job; the checks here skip what it rejects.
 *
 * <p>Each check returns its problems, one message per problem starting with the file name. The same checks run on the
 * real files and, to prove that each one fires, on small inline YAML holding one defect.
 */
class RoutesLintTest {

    private static final Path ROUTES = Path.of("routes");
    private static final String CONFIG_NAME = "config/application.properties";
    private static final Path CONFIG = Path.of(CONFIG_NAME);
    private static final String CHAKRA_URI = "{{chakra.api.base.url}}";
    private static final Set<String> ITEM_KINDS = Set.of("route", "routeConfiguration");
    private static final Set<String> ENDPOINT_KEYS = Set.of("from", "to", "toD");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.+?)}}");

    // ---- the real routes ----

    /**
     * What a route tests it tests on the body or a header, or asks a bean: an expression that reaches into an object
     * held in a property (its getters, its methods) ties the route to that class's insides.
     */
    @Test
    void no_expression_reaches_into_an_object_held_in_a_property() throws IOException {
        assertNoProblems(propertyReachProblems(routeFiles()));
    }

    @Test
    void an_expression_that_reaches_into_a_property_is_reported() {
        assertEquals(1, propertyReachProblems(files("x.camel.yaml", """
                - route:
                    id: x
                    from:
                      uri: direct:x
                      steps:
                        - filter:
                            expression:
                              simple: "${exchangeProperty.targetPoll.batch.empty} == false"
                """)).size());
    }

    @Test
    void every_item_is_a_route_or_a_route_configuration() throws IOException {
        assertNoProblems(itemKindProblems(routeFiles()));
    }

    @Test
    void every_file_is_named_after_the_id_it_holds() throws IOException {
        assertNoProblems(fileNameProblems(routeFiles()));
    }

    @Test
    void every_item_says_what_it_does_in_a_description() throws IOException {
        assertNoProblems(descriptionProblems(routeFiles()));
    }

    @Test
    void every_id_is_used_once_across_all_files() throws IOException {
        assertNoProblems(duplicateIdProblems(routeFiles()));
    }

    @Test
    void every_endpoint_is_a_uri_mapping_with_its_options_in_parameters() throws IOException {
        assertNoProblems(endpointFormProblems(routeFiles()));
    }

    @Test
    void every_placeholder_is_defined_in_the_config_file() throws IOException {
        assertNoProblems(placeholderProblems(routeFiles(), config()));
    }

    @Test
    void every_route_that_calls_chakrahq_opts_into_an_existing_route_configuration() throws IOException {
        List<RouteFile> files = routeFiles();
        // guards against this check passing vacuously once the base-url placeholder is renamed
        assertTrue(items(files).stream().anyMatch(RoutesLintTest::callsChakra),
                "no route calls " + CHAKRA_URI + "; update CHAKRA_URI in this test");
        assertNoProblems(routeConfigurationProblems(files));
    }

    @Test
    void every_name_shared_with_the_java_is_one_of_its_constants() throws IOException {
        assertNoProblems(sharedNameProblems(routeFiles()));
    }

    // ---- each rule fires on a defect ----

    @Test
    void rejects_a_bean_property_header_or_operation_the_java_does_not_name() {
        List<RouteFile> files = files("typos.camel.yaml", """
                - route:
                    id: typos
                    from:
                      uri: direct:typos
                      steps:
                        - bean: {ref: dedupStore, method: claim}
                        - setProperty:
                            name: chakraTarget
                            expression: {method: {ref: targetPolls, method: "start('chat-message', ${body}, 'none')"}}
                        - log: {message: "${exchangeProperty.targetPol} ${header.chakra.externalID}"}
                """);
        assertEquals(List.of(
                "typos.camel.yaml: bean 'dedupStore' at [0].route.from.steps[0].bean.ref is not bound by a configuration class",
                "typos.camel.yaml: exchange property 'chakraTarget' is not TargetPoll.PROPERTY ('targetPoll')",
                "typos.camel.yaml: operation 'chat-message' is not one of TargetPoll's (chat-messages, phone-messages)",
                "typos.camel.yaml: exchange property 'targetPol' is not TargetPoll.PROPERTY ('targetPoll')",
                "typos.camel.yaml: header 'chakra.externalID' is not one of the record headers Publishing names"),
                sharedNameProblems(files));
    }

    @Test
    void rejects_an_item_the_dsl_allows_but_the_house_does_not() {
        assertEquals(List.of("bare-from.camel.yaml: item 0 is '- from:'; only '- route:' and '- routeConfiguration:'"
                        + " items are allowed"),
                itemKindProblems(files("bare-from.camel.yaml", """
                        - from:
                            uri: direct:bare-from
                        """)));
    }

    @Test
    void rejects_a_route_without_id_or_in_a_file_named_otherwise() {
        assertEquals(List.of("no-id.camel.yaml: route has no id"),
                fileNameProblems(files("no-id.camel.yaml", """
                        - route:
                            from:
                              uri: direct:no-id
                        """)));
        assertEquals(List.of("old-name.camel.yaml: routeConfiguration id 'new-name' does not match the file name;"
                        + " expected new-name.camel.yaml"),
                fileNameProblems(files("old-name.camel.yaml", """
                        - routeConfiguration:
                            id: new-name
                        """)));
    }

    @Test
    void rejects_an_item_without_description_or_with_a_blank_one() {
        assertEquals(List.of("quiet.camel.yaml: route 'quiet' has no description:",
                        "blank-errors.camel.yaml: routeConfiguration 'blank-errors' has no description:"),
                descriptionProblems(List.of(
                        parse("quiet.camel.yaml", """
                                - route:
                                    id: quiet
                                    from:
                                      uri: direct:quiet
                                """),
                        parse("blank-errors.camel.yaml", """
                                - routeConfiguration:
                                    id: blank-errors
                                    description: " "
                                """))));
    }

    @Test
    void rejects_an_id_used_twice_across_files() {
        List<RouteFile> files = List.of(
                parse("first.camel.yaml", """
                        - route:
                            id: first
                            from:
                              uri: direct:first
                              steps:
                                - log:
                                    id: shared-log
                                    message: hello
                        """),
                parse("second.camel.yaml", """
                        - route:
                            id: second
                            from:
                              uri: direct:second
                              steps:
                                - log:
                                    id: shared-log
                                    message: hello
                        """));
        assertEquals(List.of("second.camel.yaml: id 'shared-log' at [0].route.from.steps[0].log.id is already used in"
                        + " first.camel.yaml at [0].route.from.steps[0].log.id"),
                duplicateIdProblems(files));
    }

    @Test
    void rejects_a_query_string_in_a_uri_and_the_short_endpoint_form() {
        assertEquals(List.of(
                        "query.camel.yaml: uri 'timer:tick?period=1000' at [0].route.from.uri has a query string;"
                                + " endpoint options belong in parameters:",
                        "query.camel.yaml: 'to: direct:next' at [0].route.from.steps[0].to is the short form;"
                                + " write it as to: {uri: ..., parameters: ...}"),
                endpointFormProblems(files("query.camel.yaml", """
                        - route:
                            id: query
                            from:
                              uri: timer:tick?period=1000
                              steps:
                                - to: direct:next
                        """)));
    }

    @Test
    void rejects_an_undefined_placeholder_but_allows_one_with_a_default() {
        Properties config = new Properties();
        config.setProperty("defined.key", "x");
        assertEquals(List.of("placeholders.camel.yaml: {{undefined.key}} is not defined in config/application.properties"),
                placeholderProblems(files("placeholders.camel.yaml", """
                        - route:
                            id: placeholders
                            from:
                              uri: "direct:{{defined.key}}"
                              steps:
                                - log:
                                    message: "{{undefined.key}} {{with.default:42}}"
                        """), config));
    }

    @Test
    void rejects_a_chakrahq_call_without_route_configuration_and_an_unknown_route_configuration() {
        assertEquals(List.of("unguarded.camel.yaml: route 'unguarded' calls ChakraHQ (" + CHAKRA_URI + ") but has no"
                        + " routeConfigurationId"),
                routeConfigurationProblems(files("unguarded.camel.yaml", """
                        - route:
                            id: unguarded
                            from:
                              uri: direct:unguarded
                              steps:
                                - to:
                                    uri: "{{chakra.api.base.url}}"
                        """)));
        assertEquals(List.of("dangling.camel.yaml: route 'dangling' refers to routeConfigurationId 'missing-errors',"
                        + " which no file in routes/ defines"),
                routeConfigurationProblems(files("dangling.camel.yaml", """
                        - route:
                            id: dangling
                            routeConfigurationId: missing-errors
                            from:
                              uri: direct:dangling
                        """)));
    }

    // ---- the checks ----

    /**
     * Rule 1: every item is a route or a routeConfiguration. The DSL also takes a bare from, an onException or
     * errorHandler of its own, beans and rests; the house keeps a route's id, description and error handling with it.
     */
    static List<String> itemKindProblems(List<RouteFile> files) {
        List<String> problems = new ArrayList<>();
        for (RouteFile file : files) {
            if (file.yaml() instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof Map<?, ?> item) {
                        for (Object kind : item.keySet()) {
                            if (!ITEM_KINDS.contains(kind)) {
                                problems.add(file.name() + ": item " + i + " is '- " + kind + ":'; only '- route:' and"
                                        + " '- routeConfiguration:' items are allowed");
                            }
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** Rule 2: every item has an id, and its file is named {@code <id>.camel.yaml}, so ops find a route by its id. */
    static List<String> fileNameProblems(List<RouteFile> files) {
        List<String> problems = new ArrayList<>();
        for (Item item : items(files)) {
            String id = item.id();
            if (id == null) {
                problems.add(item.file() + ": " + item.kind() + " has no id");
            } else if (!item.file().equals(id + ".camel.yaml")) {
                problems.add(item.file() + ": " + item.kind() + " id '" + id + "' does not match the file name;"
                        + " expected " + id + ".camel.yaml");
            }
        }
        return problems;
    }

    /**
     * Rule 3: every item says what it does in a {@code description:}, which shows in route dumps and management views
     * where a comment above it does not.
     */
    static List<String> descriptionProblems(List<RouteFile> files) {
        List<String> problems = new ArrayList<>();
        for (Item item : items(files)) {
            Object description = item.body().get("description");
            if (description == null || String.valueOf(description).isBlank()) {
                problems.add(item.file() + ": " + item.kind() + " '" + item.id() + "' has no description:");
            }
        }
        return problems;
    }

    /** Rule 4: route, routeConfiguration and step ids are unique across all files, as Camel and the logs need. */
    static List<String> duplicateIdProblems(List<RouteFile> files) {
        List<String> problems = new ArrayList<>();
        Map<String, String> firstUse = new HashMap<>();
        for (RouteFile file : files) {
            for (Entry entry : entries(file.yaml())) {
                if (entry.key().equals("id") && !entry.insideParameters()) {
                    String id = String.valueOf(entry.value());
                    String earlier = firstUse.putIfAbsent(id, file.name() + " at " + entry.path());
                    if (earlier != null) {
                        problems.add(file.name() + ": id '" + id + "' at " + entry.path() + " is already used in " + earlier);
                    }
                }
            }
        }
        return problems;
    }

    /** Rule 5: no query string in a uri, and from/to/toD as {uri, parameters} mappings, so every option is visible. */
    static List<String> endpointFormProblems(List<RouteFile> files) {
        List<String> problems = new ArrayList<>();
        for (RouteFile file : files) {
            for (Entry entry : entries(file.yaml())) {
                if (entry.insideParameters()) {
                    continue;
                }
                if (entry.key().equals("uri") && String.valueOf(entry.value()).contains("?")) {
                    problems.add(file.name() + ": uri '" + entry.value() + "' at " + entry.path()
                            + " has a query string; endpoint options belong in parameters:");
                }
                if (ENDPOINT_KEYS.contains(entry.key()) && !(entry.value() instanceof Map)) {
                    problems.add(file.name() + ": '" + entry.key() + ": " + entry.value() + "' at " + entry.path()
                            + " is the short form; write it as " + entry.key() + ": {uri: ..., parameters: ...}");
                }
            }
        }
        return problems;
    }

    /** Rule 6: every {{key}} has its one definition in the config file; {{key:default}} carries its own default. */
    static List<String> placeholderProblems(List<RouteFile> files, Properties config) {
        Set<String> problems = new LinkedHashSet<>(); // a placeholder used twice in a file is reported once
        for (RouteFile file : files) {
            for (String text : strings(file.yaml(), new ArrayList<>())) {
                Matcher placeholder = PLACEHOLDER.matcher(text);
                while (placeholder.find()) {
                    String key = placeholder.group(1);
                    if (!key.contains(":") && !config.containsKey(key)) {
                        problems.add(file.name() + ": {{" + key + "}} is not defined in " + CONFIG_NAME);
                    }
                }
            }
        }
        return List.copyOf(problems);
    }

    /** Rule 7: a ChakraHQ call fails in ways the shared routeConfiguration handles; references must resolve. */
    static List<String> routeConfigurationProblems(List<RouteFile> files) {
        List<String> problems = new ArrayList<>();
        Set<String> configurationIds = new LinkedHashSet<>();
        items(files).stream().filter(item -> item.kind().equals("routeConfiguration")).forEach(item -> configurationIds.add(item.id()));
        for (Item route : items(files)) {
            if (!route.kind().equals("route")) {
                continue;
            }
            Object references = route.body().get("routeConfigurationId");
            if (references == null) {
                if (callsChakra(route)) {
                    problems.add(route.file() + ": route '" + route.id() + "' calls ChakraHQ (" + CHAKRA_URI
                            + ") but has no routeConfigurationId");
                }
                continue;
            }
            // Camel accepts a comma-separated list of routeConfiguration ids
            for (String reference : String.valueOf(references).split(",")) {
                if (!configurationIds.contains(reference.trim())) {
                    problems.add(route.file() + ": route '" + route.id() + "' refers to routeConfigurationId '"
                            + reference.trim() + "', which no file in routes/ defines");
                }
            }
        }
        return problems;
    }

    private static final Set<String> BEAN_KEYS = Set.of("ref", "onRedeliveryRef", "executorService",
            "aggregationStrategy");
    private static final Pattern PROPERTY_USE = Pattern.compile("exchangeProperty\\.(\\w+)");
    private static final Pattern HEADER_USE = Pattern.compile("header\\.(chakra\\.\\w+)");
    private static final Pattern OPERATION_USE = Pattern.compile("start\\('([^']*)'");

    /**
     * Rule 8: the names the routes share with the Java (beans, the exchange property, the operations, the record
     * headers) are the Java's constants, so that a typo fails here and not on the first poll.
     */
    static List<String> sharedNameProblems(List<RouteFile> files) {
        Set<String> beans = new LinkedHashSet<>();
        PipelineApplication.CONFIGURATIONS.forEach(configuration -> beans.addAll(constants(configuration)));
        Set<String> headers = constants(Publishing.class);
        Set<String> operations = Set.of(TargetPoll.CHAT_MESSAGES, TargetPoll.PHONE_MESSAGES);
        Set<String> problems = new LinkedHashSet<>();
        for (RouteFile file : files) {
            for (Entry entry : entries(file.yaml())) {
                if (BEAN_KEYS.contains(entry.key()) && !String.valueOf(entry.value()).startsWith("#")
                        && !beans.contains(String.valueOf(entry.value()))) {
                    problems.add(file.name() + ": bean '" + entry.value() + "' at " + entry.path()
                            + " is not bound by a configuration class");
                }
                if (entry.key().equals("setProperty") && entry.value() instanceof Map<?, ?> set
                        && !TargetPoll.PROPERTY.equals(set.get("name"))) {
                    problems.add(propertyProblem(file, String.valueOf(set.get("name"))));
                }
                if (entry.key().equals("setHeader") && entry.value() instanceof Map<?, ?> set
                        && String.valueOf(set.get("name")).startsWith("chakra.") && !headers.contains(set.get("name"))) {
                    problems.add(headerProblem(file, String.valueOf(set.get("name"))));
                }
            }
            for (String text : strings(file.yaml(), new ArrayList<>())) {
                for (Matcher use = OPERATION_USE.matcher(text); use.find(); ) {
                    if (!operations.contains(use.group(1))) {
                        problems.add(file.name() + ": operation '" + use.group(1) + "' is not one of TargetPoll's ("
                                + TargetPoll.CHAT_MESSAGES + ", " + TargetPoll.PHONE_MESSAGES + ")");
                    }
                }
                for (Matcher use = PROPERTY_USE.matcher(text); use.find(); ) {
                    if (!TargetPoll.PROPERTY.equals(use.group(1))) {
                        problems.add(propertyProblem(file, use.group(1)));
                    }
                }
                for (Matcher use = HEADER_USE.matcher(text); use.find(); ) {
                    if (!headers.contains(use.group(1))) {
                        problems.add(headerProblem(file, use.group(1)));
                    }
                }
            }
        }
        return List.copyOf(problems);
    }

    private static String propertyProblem(RouteFile file, String name) {
        return file.name() + ": exchange property '" + name + "' is not TargetPoll.PROPERTY ('" + TargetPoll.PROPERTY + "')";
    }

    private static String headerProblem(RouteFile file, String name) {
        return file.name() + ": header '" + name + "' is not one of the record headers Publishing names";
    }

    /** The values of a class's public static String constants. */
    private static Set<String> constants(Class<?> type) {
        Set<String> values = new LinkedHashSet<>();
        for (java.lang.reflect.Field field : type.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    values.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return values;
    }

    private static boolean callsChakra(Item item) {
        return item.kind().equals("route") && entries(item.body()).stream().anyMatch(entry ->
                (entry.key().equals("to") || entry.key().equals("toD")) && uriOf(entry.value()).startsWith(CHAKRA_URI));
    }

    // ---- loading and walking the YAML ----

    /** A routes file: its name and its parsed YAML (lists, maps and scalars). */
    record RouteFile(String name, Object yaml) {}

    /** A route or routeConfiguration item in canonical form. */
    record Item(String file, String kind, Map<?, ?> body) {
        String id() {
            Object id = body.get("id");
            return id == null ? null : String.valueOf(id);
        }
    }

    /** A map entry anywhere in a file, with its path and the keys of the maps that enclose it. */
    record Entry(String path, List<String> enclosingKeys, String key, Object value) {
        boolean insideParameters() {
            return enclosingKeys.contains("parameters");
        }
    }

    private static List<String> propertyReachProblems(List<RouteFile> files) {
        Pattern reach = Pattern.compile("\\$\\{exchangeProperty\\.\\w+[.(\\[]");
        List<String> problems = new ArrayList<>();
        for (RouteFile file : files) {
            Matcher found = reach.matcher(String.valueOf(file.yaml()));
            while (found.find()) {
                problems.add(file.name() + ": '" + found.group() + "...' reaches into a property's object; test the "
                        + "body or a header, or ask a bean");
            }
        }
        return problems;
    }

    private static List<RouteFile> routeFiles() throws IOException {
        List<RouteFile> files = new ArrayList<>();
        try (Stream<Path> paths = Files.list(ROUTES)) {
            for (Path path : paths.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).sorted().toList()) {
                files.add(parse(path.getFileName().toString(), Files.readString(path)));
            }
        }
        // an empty folder would let every rule pass without checking anything
        assertFalse(files.isEmpty(), "no *.camel.yaml file in " + ROUTES.toAbsolutePath());
        return files;
    }

    private static Properties config() throws IOException {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(CONFIG)) {
            config.load(reader);
        }
        return config;
    }

    private static List<RouteFile> files(String name, String yaml) {
        return List.of(parse(name, yaml));
    }

    private static RouteFile parse(String name, String yaml) {
        try {
            // snakeyaml-engine comes with camel-yaml-dsl; it rejects duplicate keys by default
            return new RouteFile(name, new Load(LoadSettings.builder().build()).loadFromString(yaml));
        } catch (YamlEngineException e) {
            throw new AssertionError(name + ": is not valid YAML: " + e.getMessage(), e);
        }
    }

    /** The route and routeConfiguration items of all files; what rule 1 or the schema rejects is skipped here. */
    private static List<Item> items(List<RouteFile> files) {
        List<Item> items = new ArrayList<>();
        for (RouteFile file : files) {
            if (file.yaml() instanceof List<?> list) {
                for (Object element : list) {
                    if (element instanceof Map<?, ?> item) {
                        item.forEach((kind, body) -> {
                            if (ITEM_KINDS.contains(kind) && body instanceof Map<?, ?> map) {
                                items.add(new Item(file.name(), (String) kind, map));
                            }
                        });
                    }
                }
            }
        }
        return items;
    }

    private static List<Entry> entries(Object yaml) {
        List<Entry> entries = new ArrayList<>();
        collectEntries(yaml, "", List.of(), entries);
        return entries;
    }

    private static void collectEntries(Object node, String path, List<String> enclosingKeys, List<Entry> entries) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, value) -> {
                String key = String.valueOf(k);
                String at = path.isEmpty() ? key : path + "." + key;
                entries.add(new Entry(at, enclosingKeys, key, value));
                List<String> inner = new ArrayList<>(enclosingKeys);
                inner.add(key);
                collectEntries(value, at, inner, entries);
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collectEntries(list.get(i), path + "[" + i + "]", enclosingKeys, entries);
            }
        }
    }

    /** Every string in the tree, keys included. */
    private static List<String> strings(Object node, List<String> strings) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                strings(key, strings);
                strings(value, strings);
            });
        } else if (node instanceof List<?> list) {
            list.forEach(element -> strings(element, strings));
        } else if (node instanceof String text) {
            strings.add(text);
        }
        return strings;
    }

    private static String uriOf(Object endpoint) {
        Object uri = endpoint instanceof Map<?, ?> map ? map.get("uri") : endpoint;
        return String.valueOf(uri);
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n" + String.join("\n", problems));
    }
}
