package io.github.chakrakafkapipeline.ops;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.testsupport.ChakraStub;
import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What ops look at: the alert rules (deploy/prometheus/alerts.yml) and the Grafana dashboard (deploy/grafana) read only
 * metrics the pipeline serves. A renamed or missing metric would leave an alert that never fires and a panel that says
 * "No data", unnoticed until the day they matter. The metrics are scraped from the real pipeline; the files are read as
 * Prometheus and Grafana read them, as YAML and JSON.
 */
class AlertsAndDashboardTest {

    private static final Path ALERTS = Path.of("deploy/prometheus/alerts.yml");
    private static final Path DASHBOARD = Path.of("deploy/grafana/chakra-kafka-pipeline.json");
    private static final Path CONFIG = Path.of("config/application.properties");
    /** What issue #10 asks ops to be told about. */
    private static final List<String> REQUIRED_ALERTS = List.of("ChakraPipelinePublishLagHigh",
            "ChakraPipelineTokenRejected", "ChakraPipelineDeadLettersRising", "ChakraPipelineKafkaUnreachable",
            "ChakraPipelineNoSuccessfulPoll");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning");
    private static final Set<String> PANEL_TYPES = Set.of("timeseries", "stat");
    private static final Pattern PROMETHEUS_DURATION = Pattern.compile("(\\d+(ms|s|m|h|d|w|y))+");
    /** An environment variable as the alerts and panels name a setting (CHAKRA_API_TOKEN). */
    private static final Pattern SETTING = Pattern.compile("\\b[A-Z][A-Z0-9]*(_[A-Z0-9]+)+\\b");
    /** A quartz cron that never fires while the test runs: the metrics are those of a pipeline that has not polled. */
    private static final String NEVER = "0 0 0 1 1 ? 2099";
    private static final String TOKEN = "alerts-token-5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";
    private static final String CHAT = "4abc74ba-dfd8-423e-8ef5-fdf3ebbbd487";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static EmbeddedKafka kafka;
    private static ChakraStub chakra;
    private static RunningPipeline pipeline;
    private static Exposition served;

    @AfterAll
    static void stop() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
        if (chakra != null) {
            chakra.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // the files

    @Test
    void alert_rules_parse_and_hold_each_alert_ops_asked_for() throws IOException {
        List<String> problems = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Map<String, Object> rule : alertRules()) {
            String name = text(rule.get("alert"));
            String which = "alert " + name;
            if (name.isBlank()) {
                problems.add("a rule has no alert name: " + rule);
                continue;
            }
            if (!names.add(name)) {
                problems.add(which + " is defined twice");
            }
            if (text(rule.get("expr")).isBlank()) {
                problems.add(which + " has no expr");
            }
            if (!PROMETHEUS_DURATION.matcher(text(rule.get("for"))).matches()) {
                problems.add(which + " has no Prometheus duration in for: " + rule.get("for"));
            }
            Object severity = mapOrEmpty(rule.get("labels")).get("severity");
            if (!SEVERITIES.contains(severity)) {
                problems.add(which + " has severity " + severity + ", not one of " + SEVERITIES);
            }
            Map<String, Object> annotations = mapOrEmpty(rule.get("annotations"));
            for (String annotation : List.of("summary", "description")) {
                if (text(annotations.get(annotation)).isBlank()) {
                    problems.add(which + " has no annotations." + annotation);
                }
            }
        }
        for (String required : REQUIRED_ALERTS) {
            if (!names.contains(required)) {
                problems.add("alert " + required + " is missing");
            }
        }
        assertTrue(problems.isEmpty(), ALERTS + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void dashboard_parses_with_a_prometheus_datasource_variable_and_timeseries_and_stat_panels() throws IOException {
        JsonNode dashboard = dashboard();
        List<String> problems = new ArrayList<>();
        if (!dashboard.path("uid").isTextual() || !dashboard.path("title").isTextual()) {
            problems.add("no uid or title");
        }
        if (!dashboard.path("schemaVersion").isInt()) {
            problems.add("no schemaVersion");
        }
        String datasource = null;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("datasource".equals(variable.path("type").asText())
                    && "prometheus".equals(variable.path("query").asText())) {
                datasource = "${" + variable.path("name").asText() + "}";
            }
        }
        if (datasource == null) {
            problems.add("no templating variable of type datasource for prometheus, so the import cannot ask for one");
        }
        Set<Integer> ids = new HashSet<>();
        int queried = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            String which = "panel '" + panel.path("title").asText() + "'";
            if (!ids.add(panel.path("id").asInt(-1))) {
                problems.add(which + " has no id, or another panel's");
            }
            if (!panel.path("gridPos").isObject()) {
                problems.add(which + " has no gridPos");
            }
            if ("row".equals(panel.path("type").asText())) {
                continue; // a heading, with no query
            }
            if (!PANEL_TYPES.contains(panel.path("type").asText())) {
                problems.add(which + " is of type " + panel.path("type") + ", not one of " + PANEL_TYPES);
            }
            if (!panel.path("datasource").path("uid").asText().equals(datasource)) {
                problems.add(which + " does not query the datasource variable " + datasource);
            }
            if (!panel.path("targets").isArray() || panel.path("targets").isEmpty()) {
                problems.add(which + " has no query");
            }
            for (JsonNode target : panel.path("targets")) {
                queried++;
                if (target.path("expr").asText().isBlank()) {
                    problems.add(which + " has a query without expr");
                }
                if (target.has("datasource") && !target.path("datasource").path("uid").asText().equals(datasource)) {
                    problems.add(which + " has a query on another datasource than " + datasource);
                }
            }
        }
        if (queried == 0) {
            problems.add("no panel queries anything");
        }
        assertTrue(problems.isEmpty(), DASHBOARD + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void every_setting_the_alerts_and_panels_name_is_a_setting() throws IOException {
        Properties config = new Properties();
        try (Reader reader = Files.newBufferedReader(CONFIG)) {
            config.load(reader);
        }
        Set<String> variables = new HashSet<>();
        for (String key : config.stringPropertyNames()) {
            variables.add(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (Map<String, Object> rule : alertRules()) {
            texts.put(ALERTS + ": alert " + rule.get("alert"), String.valueOf(rule.get("annotations")));
        }
        for (JsonNode panel : dashboard().path("panels")) {
            texts.put(DASHBOARD + ": panel '" + panel.path("title").asText() + "'", panel.path("description").asText());
        }
        List<String> problems = new ArrayList<>();
        texts.forEach((where, text) -> {
            Matcher setting = SETTING.matcher(text);
            while (setting.find()) {
                if (!variables.contains(setting.group())) {
                    problems.add(where + " names " + setting.group() + ", which overrides no key of " + CONFIG);
                }
            }
        });
        assertTrue(problems.isEmpty(), "Ops would set a setting that does nothing:\n  "
                + String.join("\n  ", problems));
    }

    // ---------------------------------------------------------------------------------------------------------
    // against the served metrics

    @Test
    void every_metric_an_alert_uses_is_served() throws Exception {
        Exposition metrics = served();
        Set<String> problems = new LinkedHashSet<>();
        for (Map<String, Object> rule : alertRules()) {
            problems.addAll(unserved(metrics, ALERTS + ": alert " + rule.get("alert"), text(rule.get("expr"))));
        }
        assertTrue(problems.isEmpty(), "Not served by /observe/metrics, so these never fire:\n  "
                + String.join("\n  ", problems));
    }

    @Test
    void every_metric_a_panel_uses_is_served() throws Exception {
        Exposition metrics = served();
        JsonNode dashboard = dashboard();
        Set<String> problems = new LinkedHashSet<>(); // a panel's p50 and p99 read the same metric: name it once
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                problems.addAll(unserved(metrics, DASHBOARD + ": panel '" + panel.path("title").asText() + "'",
                        target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if ("query".equals(variable.path("type").asText())) {
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                problems.addAll(unserved(metrics, DASHBOARD + ": variable $" + variable.path("name").asText(),
                        variableQueryExpression(text)));
            }
        }
        assertTrue(problems.isEmpty(), "Not served by /observe/metrics, so these show no data:\n  "
                + String.join("\n  ", problems));
    }

    @Test
    void every_histogram_an_alert_compares_has_buckets_past_the_threshold() throws Exception {
        // histogram_quantile never answers more than the highest finite bucket: a threshold past it never fires
        Exposition metrics = served();
        Pattern comparison = Pattern.compile(">\\s*([0-9][0-9.eE+]*)\\s*$");
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> rule : alertRules()) {
            String expr = text(rule.get("expr")).trim();
            Matcher threshold = comparison.matcher(expr);
            if (!expr.contains("histogram_quantile") || !threshold.find()) {
                continue;
            }
            for (String name : metricNames(expr)) {
                if (!name.endsWith("_bucket")) {
                    continue;
                }
                OptionalDouble highest = metrics.highestFiniteBucket(name);
                if (highest.isEmpty() || highest.getAsDouble() <= Double.parseDouble(threshold.group(1))) {
                    problems.add("alert " + rule.get("alert") + " waits for more than " + threshold.group(1) + " but "
                            + name + (highest.isEmpty() ? " is not served"
                                    : " goes up to le=" + highest.getAsDouble()));
                }
            }
        }
        assertTrue(problems.isEmpty(), ALERTS + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void reads_metric_names_not_functions_labels_keywords_or_grafana_variables() {
        assertEquals(Set.of("lag_seconds_bucket", "leader", "reads:total"), metricNames(
                "histogram_quantile(0.99, sum by (le, topic) (rate(lag_seconds_bucket{job=~\"$job\", topic!=\"a b{c}\"}"
                        + "[$__rate_interval]))) > 3e2 and on (instance) leader == bool 1 or vector(0)"
                        + " unless max without(job) (reads:total offset 5m) * on(job) group_left ${datasource}"));
        assertEquals(Set.of("chakra_pipeline_lease_leader"),
                metricNames(variableQueryExpression("label_values(chakra_pipeline_lease_leader, job)")));
        assertEquals(Set.of(), metricNames(variableQueryExpression("label_values(job)")));
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * What a pipeline that has not polled yet serves (a standby, or a leader just started): every series an alert or
     * a panel reads must be there from the start, at zero, since increase() and rate() count only from a first sample.
     */
    private static synchronized Exposition served() throws Exception {
        if (served == null) {
            kafka = EmbeddedKafka.start();
            chakra = new ChakraStub(TOKEN); // so that nothing this pipeline does reaches the real ChakraHQ
            int managementPort = RunningPipeline.freePort();
            Map<String, String> settings = chakra.pipelineSettings(kafka.bootstrapServers(), CHAT, "");
            settings.put("pipeline.poll.cron", NEVER);
            settings.put("pipeline.management.port", String.valueOf(managementPort));
            pipeline = RunningPipeline.start(settings);
            URI uri = URI.create("http://localhost:" + managementPort + "/observe/metrics");
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> scrape(uri).contains("chakra_pipeline_"));
            served = Exposition.parse(scrape(uri));
        }
        return served;
    }

    private static String scrape(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), uri + " answered " + response.statusCode());
        return response.body();
    }

    /** One line per metric {@code expr} reads that is not served, naming {@code where} it is read. */
    private static List<String> unserved(Exposition metrics, String where, String expr) {
        Set<String> names = metricNames(expr);
        if (names.isEmpty()) {
            return List.of(where + " reads no metric: " + expr);
        }
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            if (!metrics.names().contains(name)) {
                Set<String> near = metrics.sameFamily(name);
                problems.add(where + ": " + name
                        + (near.isEmpty() ? "" : " (served: " + String.join(", ", near) + ")"));
            }
        }
        return problems;
    }

    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", Pattern.CASE_INSENSITIVE);
    /** A number or duration (0.99, 5m, 3e2), or an identifier and, for a function, its opening parenthesis. */
    private static final Pattern PROMQL_TOKEN =
            Pattern.compile("(\\.?\\d[\\w.]*)|([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?");
    private static final Set<String> PROMQL_KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");

    /**
     * The metric names a PromQL expression reads: what is left once strings, Grafana variables, label matchers,
     * ranges and label lists are taken out, less numbers, durations, function names and keywords. Names are kept as
     * written: Prometheus stores a histogram as its _bucket, _count and _sum series, so those are what must be served.
     */
    static Set<String> metricNames(String expr) {
        String rest = GRAFANA_VARIABLE.matcher(expr).replaceAll(" ");
        rest = STRING.matcher(rest).replaceAll(" ");
        rest = LABEL_MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = LABEL_LIST.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher token = PROMQL_TOKEN.matcher(rest);
        while (token.find()) {
            String identifier = token.group(2);
            if (identifier != null && token.group(3) == null
                    && !PROMQL_KEYWORDS.contains(identifier.toLowerCase(Locale.ROOT))) {
                names.add(identifier);
            }
        }
        return names;
    }

    /** The PromQL in a Grafana variable query: label_values(metric, label) or query_result(expr); else none. */
    static String variableQueryExpression(String query) {
        Matcher labelValues = Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$").matcher(query);
        if (labelValues.matches()) {
            return labelValues.group(1);
        }
        Matcher queryResult = Pattern.compile("^\\s*query_result\\((.*)\\)\\s*$").matcher(query);
        return queryResult.matches() ? queryResult.group(1) : "";
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alertRules() throws IOException {
        Object document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(ALERTS));
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Object group : (List<Object>) mapOrEmpty(document).getOrDefault("groups", List.of())) {
            for (Object rule : (List<Object>) mapOrEmpty(group).getOrDefault("rules", List.of())) {
                rules.add(mapOrEmpty(rule));
            }
        }
        assertFalse(rules.isEmpty(), ALERTS + " holds no groups[].rules[]");
        return rules;
    }

    private static String text(Object value) {
        return value instanceof String string ? string : "";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapOrEmpty(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(DASHBOARD.toFile());
    }

    /** The sample lines of a Prometheus text exposition: the names as Prometheus stores them, not the # TYPE names. */
    private record Exposition(Set<String> names, Map<String, List<String>> bucketBounds) {

        private static final Pattern SAMPLE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
        private static final Pattern LE = Pattern.compile("(?:^|,)le=\"([^\"]*)\"");
        private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_max", "_total", "_created");

        static Exposition parse(String text) {
            Set<String> names = new TreeSet<>();
            Map<String, List<String>> bounds = new LinkedHashMap<>();
            for (String line : text.split("\n")) {
                Matcher sample = SAMPLE.matcher(line.trim());
                if (line.startsWith("#") || !sample.matches()) {
                    continue;
                }
                names.add(sample.group(1));
                Matcher le = LE.matcher(sample.group(3) == null ? "" : sample.group(3));
                if (le.find()) {
                    bounds.computeIfAbsent(sample.group(1), n -> new ArrayList<>()).add(le.group(1));
                }
            }
            return new Exposition(names, bounds);
        }

        OptionalDouble highestFiniteBucket(String bucketName) {
            return bucketBounds.getOrDefault(bucketName, List.of()).stream()
                    .filter(le -> !le.endsWith("Inf"))
                    .mapToDouble(Double::parseDouble).max();
        }

        /** Served names of the same family, so that a failure says "served: x_total" when x was asked for. */
        Set<String> sameFamily(String name) {
            String family = SUFFIXES.stream().filter(name::endsWith).findFirst()
                    .map(suffix -> name.substring(0, name.length() - suffix.length())).orElse(name);
            Set<String> near = new LinkedHashSet<>();
            for (String served : names) {
                if (served.equals(family) || SUFFIXES.stream().anyMatch(suffix -> served.equals(family + suffix))) {
                    near.add(served);
                }
            }
            return near;
        }
    }
}
