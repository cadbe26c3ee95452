package io.github.chakrakafkapipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.chakrakafkapipeline.kafka.KafkaVariables;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps the container files (Dockerfile, docker-compose.yml, .env.example, .dockerignore) in step with the
 * application: every variable they set overrides a real key of config/application.properties, the mounts land where
 * the application reads its routes and configuration, compose's second replica runs as the pipeline does, and no file
 * carries the API token. Nothing is built or run: the files are read as text and YAML, and the configuration's keys
 * are read afresh from the file on every run. {@link DeployFilesTest} checks deploy/kubernetes with the same helpers.
 */
class ContainerFilesTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path DOCKERFILE = ROOT.resolve("Dockerfile");
    private static final Path COMPOSE_FILE = ROOT.resolve("docker-compose.yml");
    private static final Path ENV_EXAMPLE = ROOT.resolve(".env.example");
    private static final Path DOCKERIGNORE = ROOT.resolve(".dockerignore");
    static final String TOKEN_VARIABLE = "CHAKRA_API_TOKEN";
    private static final String REPLICA_SERVICE = "pipeline-replica";
    private static final String REPLICA_PROFILE = "replicas";

    /** Read by the JVM or the operating system, not by the pipeline, so they need no configuration key. */
    private static final Set<String> NOT_PIPELINE_SETTINGS = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "TZ", "LANG", "LC_ALL");

    private static final Pattern ENV_EXAMPLE_LINE = Pattern.compile("^\\s*#?\\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$");
    private static final Pattern INTERPOLATION = Pattern.compile("^\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:?-)?(.*)}$");
    static final Pattern TOKEN_ASSIGNMENT = Pattern.compile(TOKEN_VARIABLE + "[\"']?\\s*[:=]\\s*(.*)$");
    private static final Pattern TOKEN_PASS_THROUGH = Pattern.compile("^\\$\\{?" + TOKEN_VARIABLE + "}?$");

    // ---------------------------------------------------------------------------------------------------------
    // (a) compose and .env.example variables

    @Test
    void every_variable_the_compose_pipeline_service_sets_overrides_a_config_key() throws IOException {
        Map<String, String> environment = environment(pipelineService());
        assertFalse(environment.isEmpty(), "the pipeline service in docker-compose.yml sets no environment");

        assertAllOverrideConfigKeys(environment.keySet(), "docker-compose.yml (services.pipeline.environment)");
    }

    @Test
    void every_variable_in_env_example_overrides_a_config_key() throws IOException {
        Map<String, String> variables = envExampleVariables();
        assertTrue(variables.containsKey(TOKEN_VARIABLE), ".env.example must show where the token goes");

        assertAllOverrideConfigKeys(variables.keySet(), ".env.example");
    }

    @Test
    void compose_defaults_read_the_same_variable_and_repeat_the_config_default() throws IOException {
        Properties config = config();
        Map<String, String> configKeys = configKeysByVariable(config);
        List<String> problems = new ArrayList<>();
        environment(pipelineService()).forEach((variable, value) -> {
            Matcher interpolation = INTERPOLATION.matcher(value == null ? "" : value.trim());
            if (!interpolation.matches()) {
                return; // a fixed value chosen for the compose network, such as kafka:9092
            }
            if (!interpolation.group(1).equals(variable)) {
                problems.add(variable + " takes its value from ${" + interpolation.group(1) + "}, so setting "
                        + variable + " in .env would not reach it");
                return;
            }
            if (!":-".equals(interpolation.group(2))) {
                problems.add(variable + " has no ${" + variable + ":-default}; unset, it would override "
                        + configKeys.get(variable) + " with ''");
                return;
            }
            String key = configKeys.get(variable);
            String configDefault = key == null ? null : config.getProperty(key).trim();
            if (key != null && !interpolation.group(3).trim().equals(configDefault)) {
                problems.add(variable + " defaults to '" + interpolation.group(3) + "' but " + key + " defaults to '"
                        + configDefault + "' in config/application.properties");
            }
        });
        assertTrue(problems.isEmpty(), "docker-compose.yml: " + String.join("; ", problems));
    }

    // ---------------------------------------------------------------------------------------------------------
    // (b) Dockerfile ENV

    @Test
    void every_variable_the_runtime_image_sets_overrides_a_config_key() throws IOException {
        Set<String> variables = new TreeSet<>();
        for (Instruction env : runtimeStage().all("ENV")) {
            variables.addAll(env.envPairs().keySet());
        }
        assertAllOverrideConfigKeys(variables, "Dockerfile (ENV of the runtime stage)");
    }

    // ---------------------------------------------------------------------------------------------------------
    // (c) paths, user, entrypoint, shutdown

    @Test
    void compose_mounts_routes_and_config_read_only_where_the_image_runs_the_application() throws IOException {
        Stage runtime = runtimeStage();
        String workdir = runtime.workdir();
        Map<String, Mount> mounts = mounts(pipelineService());

        for (Path relative : List.of(routesFolder(), configFolder())) {
            String inImage = join(workdir, relative.toString());
            Mount mount = mounts.get(inImage);
            assertNotNull(mount, "docker-compose.yml mounts nothing at " + inImage + ", where the application (WORKDIR "
                    + workdir + ") reads " + relative + "/; mounts: " + mounts.keySet());
            assertEquals(ROOT.resolve(relative).normalize(), ROOT.resolve(mount.source()).normalize(),
                    "docker-compose.yml mounts the wrong folder at " + inImage);
            assertTrue(mount.readOnly(), "docker-compose.yml mounts " + inImage + " writable; it should be read-only");
            assertTrue(runtime.copiesFromContext(relative.toString(), inImage),
                    "the Dockerfile's runtime stage does not COPY " + relative + "/ to " + inImage
                            + ", so the image would not run without the mount");
        }
    }

    @Test
    void runtime_image_runs_the_jar_as_a_non_root_user_with_an_exec_form_entrypoint() throws IOException {
        Stage runtime = runtimeStage();

        Instruction user = runtime.last("USER")
                .orElseThrow(() -> new AssertionError("the Dockerfile's runtime stage has no USER: it would run as root"));
        String name = user.args().split(":")[0].trim();
        assertFalse(name.equals("root") || name.matches("0+"), "the runtime stage's USER is root: " + user.args());

        Instruction entrypoint = runtime.last("ENTRYPOINT")
                .orElseThrow(() -> new AssertionError("the Dockerfile's runtime stage has no ENTRYPOINT"));
        assertTrue(entrypoint.args().startsWith("["),
                "ENTRYPOINT must be in exec form (a JSON array) so that SIGTERM reaches the JVM: " + entrypoint.args());
        List<String> command = entrypoint.jsonArray();
        assertTrue(command.get(0).equals("java") || command.get(0).endsWith("/java"), "ENTRYPOINT does not run java: " + command);
        int jarFlag = command.indexOf("-jar");
        assertTrue(jarFlag > 0 && jarFlag + 1 < command.size(), "ENTRYPOINT does not run a jar: " + command);
        String jar = join(runtime.workdir(), command.get(jarFlag + 1));
        String builtJar = "target/" + finalName() + ".jar";
        assertTrue(runtime.copiesFromStage(builtJar, jar),
                "the runtime stage does not COPY --from the build stage's " + builtJar + " to " + jar + ", which ENTRYPOINT runs");

        assertEquals("SIGTERM", runtime.last("STOPSIGNAL").map(Instruction::args).orElse("SIGTERM"),
                "the image must stop the JVM with SIGTERM");
    }

    @Test
    void compose_waits_longer_than_camel_shutdown_before_killing_the_pipeline() throws IOException {
        // Camel Main's default when the key is absent is 45 seconds
        long shutdownSeconds = Long.parseLong(config().getProperty("camel.main.shutdown-timeout", "45").trim());
        Object grace = pipelineService().get("stop_grace_period");
        assertNotNull(grace, "the pipeline service has no stop_grace_period: Docker would kill it after 10 s");
        long graceMillis = durationMillis(String.valueOf(grace));
        assertTrue(graceMillis > shutdownSeconds * 1000,
                "stop_grace_period " + grace + " does not outlast camel.main.shutdown-timeout " + shutdownSeconds + " s");
    }

    // ---------------------------------------------------------------------------------------------------------
    // (d) the second replica

    @Test
    void compose_second_replica_starts_only_with_its_profile_and_runs_as_the_pipeline_does() throws IOException {
        Map<String, Object> pipeline = pipelineService();
        Object declared = map(compose().get("services")).get(REPLICA_SERVICE);
        assertNotNull(declared, "docker-compose.yml has no " + REPLICA_SERVICE + " service");
        Map<String, Object> replica = map(declared);

        assertNull(pipeline.get("profiles"), "the pipeline service has a profile: docker compose up would not start it");
        assertEquals(List.of(REPLICA_PROFILE), replica.get("profiles"),
                REPLICA_SERVICE + " must start only with docker compose --profile " + REPLICA_PROFILE);
        // the same image, settings, token, mounts and shutdown: only the host port and the profile differ
        for (String setting : List.of("build", "image", "env_file", "environment", "volumes", "depends_on", "restart",
                "stop_grace_period")) {
            assertEquals(pipeline.get(setting), replica.get(setting),
                    REPLICA_SERVICE + "'s " + setting + " differs from the pipeline service's");
        }

        int managementPort = Integer.parseInt(config().getProperty("pipeline.management.port").trim());
        Set<String> pipelineHostPorts = new TreeSet<>();
        publishedPorts(pipeline).forEach(port -> pipelineHostPorts.add(port.hostPort()));
        List<Port> management = publishedPorts(replica).stream()
                .filter(port -> port.containerPort().equals(String.valueOf(managementPort))).toList();
        assertEquals(1, management.size(), REPLICA_SERVICE + " must publish its management port " + managementPort
                + " (pipeline.management.port) once; it publishes " + publishedPorts(replica));
        Port published = management.get(0);
        assertEquals("127.0.0.1", published.hostIp(), REPLICA_SERVICE + "'s management port must stay on the host's loopback");
        assertFalse(pipelineHostPorts.contains(published.hostPort()),
                REPLICA_SERVICE + " publishes host port " + published.hostPort() + ", which the pipeline service already takes");
    }

    // ---------------------------------------------------------------------------------------------------------
    // (e) the token

    @Test
    void no_container_file_holds_an_api_token_value() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : List.of(DOCKERFILE, COMPOSE_FILE, ENV_EXAMPLE)) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher assignment = TOKEN_ASSIGNMENT.matcher(lines.get(i));
                if (assignment.find() && !isEmptyOrPassThrough(assignment.group(1))) {
                    // never echo the value: it may be a real token
                    problems.add(ROOT.relativize(file) + ":" + (i + 1) + " gives " + TOKEN_VARIABLE + " a value");
                }
            }
        }
        for (Stage stage : dockerfileStages()) {
            for (Instruction instruction : stage.instructions()) {
                boolean env = instruction.keyword().equals("ENV") && instruction.envPairs().containsKey(TOKEN_VARIABLE);
                boolean arg = instruction.keyword().equals("ARG") && instruction.args().startsWith(TOKEN_VARIABLE);
                if (env || arg) {
                    problems.add("Dockerfile stage " + stage.name() + " declares " + instruction.keyword() + " " + TOKEN_VARIABLE
                            + ": the image and its history would carry the token");
                }
            }
        }
        Map<String, Object> services = map(compose().get("services"));
        services.forEach((name, service) -> {
            String token = environment(map(service)).get(TOKEN_VARIABLE);
            if (token != null && !isEmptyOrPassThrough(token)) {
                problems.add("docker-compose.yml service " + name + " gives " + TOKEN_VARIABLE + " a value; use .env");
            }
            Object build = map(service).get("build");
            if (build instanceof Map<?, ?> buildMap && String.valueOf(buildMap.get("args")).contains(TOKEN_VARIABLE)) {
                problems.add("docker-compose.yml service " + name + " passes " + TOKEN_VARIABLE + " as a build arg");
            }
        });
        assertTrue(problems.isEmpty(), String.join("; ", problems));

        Set<String> ignored = new TreeSet<>();
        for (String line : Files.readAllLines(DOCKERIGNORE)) {
            ignored.add(line.trim());
        }
        assertTrue(ignored.contains(".env") || ignored.contains("**/.env"),
                ".dockerignore must list .env so that no COPY can put the token in an image layer");
    }

    // ---------------------------------------------------------------------------------------------------------
    // configuration

    static Properties config() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(ROOT.resolve(configLocation()))) {
            properties.load(reader);
        }
        assertFalse(properties.isEmpty(), "config/application.properties has no keys");
        return properties;
    }

    /** The file the application loads: PipelineApplication's default placeholder location, relative to its working directory. */
    static Path configLocation() {
        String location = PipelineApplication.newMain().getDefaultPropertyPlaceholderLocation();
        return Path.of(location.replaceFirst("^(file|classpath):", ""));
    }

    static Path configFolder() {
        return configLocation().getParent();
    }

    /** The folder that camel.main.routes-include-pattern reads, relative to the working directory. */
    static Path routesFolder() throws IOException {
        String pattern = config().getProperty("camel.main.routes-include-pattern", "").split(",")[0].trim();
        assertTrue(pattern.startsWith("file:"), "the routes are expected on the file system, not " + pattern);
        List<String> folder = new ArrayList<>();
        for (String part : pattern.substring("file:".length()).split("/")) {
            if (part.contains("*") || part.contains("?")) {
                break;
            }
            folder.add(part);
        }
        if (!folder.isEmpty() && !pattern.endsWith("/") && folder.size() == pattern.split("/").length) {
            folder.remove(folder.size() - 1); // a single file named without a wildcard
        }
        return Path.of(String.join("/", folder));
    }

    private static String variableFor(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static Map<String, String> configKeysByVariable(Properties config) {
        Map<String, String> keys = new TreeMap<>();
        for (String key : config.stringPropertyNames()) {
            keys.put(variableFor(key), key);
        }
        return keys;
    }

    static void assertAllOverrideConfigKeys(Set<String> variables, String where) throws IOException {
        Map<String, String> keys = configKeysByVariable(config());
        Set<String> unknown = new TreeSet<>();
        for (String variable : variables) {
            // CAMEL_COMPONENT_KAFKA_* set the Kafka component's options (kafka/KafkaVariables), the file's or others
            if (!keys.containsKey(variable) && !NOT_PIPELINE_SETTINGS.contains(variable)
                    && KafkaVariables.overrides(Map.of(variable, "set")).isEmpty()) {
                unknown.add(variable);
            }
        }
        assertTrue(unknown.isEmpty(), where + " sets " + unknown + ", which override no key of config/application.properties"
                + " (a key's variable is the key upper-cased with '_' for '.' and '-')");
    }

    // ---------------------------------------------------------------------------------------------------------
    // .env.example

    /** Its KEY=value lines, and the '# KEY=value' lines a user may uncomment. */
    private static Map<String, String> envExampleVariables() throws IOException {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ENV_EXAMPLE)) {
            Matcher matcher = ENV_EXAMPLE_LINE.matcher(line);
            if (matcher.matches()) {
                variables.put(matcher.group(1), matcher.group(2).trim());
            }
        }
        return variables;
    }

    static boolean isEmptyOrPassThrough(String value) {
        String v = value.trim();
        if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
            v = v.substring(1, v.length() - 1).trim();
        }
        return v.isEmpty() || TOKEN_PASS_THROUGH.matcher(v).matches();
    }

    // ---------------------------------------------------------------------------------------------------------
    // docker-compose.yml

    static Map<String, Object> compose() throws IOException {
        Object document = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(COMPOSE_FILE));
        return map(document);
    }

    static Map<String, Object> pipelineService() throws IOException {
        Object pipeline = map(compose().get("services")).get("pipeline");
        assertNotNull(pipeline, "docker-compose.yml has no pipeline service");
        return map(pipeline);
    }

    /** A service's environment, in either the mapping or the list form; a variable without a value maps to null. */
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object declared = service.get("environment");
        if (declared instanceof Map<?, ?> entries) {
            entries.forEach((k, v) -> environment.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (declared instanceof List<?> entries) {
            for (Object entry : entries) {
                String[] pair = String.valueOf(entry).split("=", 2);
                environment.put(pair[0], pair.length == 2 ? pair[1] : null);
            }
        }
        return environment;
    }

    private record Mount(String source, String target, boolean readOnly) {
    }

    /** The service's volumes by target path, in either the short ("src:dst:ro") or the long syntax. */
    private static Map<String, Mount> mounts(Map<String, Object> service) {
        Map<String, Mount> mounts = new LinkedHashMap<>();
        Object volumes = service.get("volumes");
        if (!(volumes instanceof List<?> entries)) {
            return mounts;
        }
        for (Object entry : entries) {
            Mount mount;
            if (entry instanceof Map<?, ?> longSyntax) {
                mount = new Mount(String.valueOf(longSyntax.get("source")), String.valueOf(longSyntax.get("target")),
                        Boolean.TRUE.equals(longSyntax.get("read_only")));
            } else {
                String[] parts = String.valueOf(entry).split(":");
                if (parts.length < 2) {
                    continue; // an anonymous volume
                }
                mount = new Mount(parts[0], parts[1], parts.length > 2 && Set.of(parts[2].split(",")).contains("ro"));
            }
            mounts.put(stripTrailingSlash(mount.target()), mount);
        }
        return mounts;
    }

    private record Port(String hostIp, String hostPort, String containerPort) {
    }

    /** The service's published ports, in either the short ("ip:host:container/tcp") or the long syntax. */
    private static List<Port> publishedPorts(Map<String, Object> service) {
        List<Port> ports = new ArrayList<>();
        Object declared = service.get("ports");
        if (!(declared instanceof List<?> entries)) {
            return ports;
        }
        for (Object entry : entries) {
            if (entry instanceof Map<?, ?> longSyntax) {
                ports.add(new Port(String.valueOf(longSyntax.get("host_ip")), String.valueOf(longSyntax.get("published")),
                        String.valueOf(longSyntax.get("target"))));
                continue;
            }
            String[] parts = String.valueOf(entry).replaceFirst("/(tcp|udp)$", "").split(":");
            String container = parts[parts.length - 1];
            String host = parts.length >= 2 ? parts[parts.length - 2] : null;
            String ip = parts.length >= 3 ? String.join(":", List.of(parts).subList(0, parts.length - 2)) : null;
            ports.add(new Port(String.valueOf(ip), String.valueOf(host), container));
        }
        return ports;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertTrue(value instanceof Map, "expected a YAML mapping, found " + value);
        return (Map<String, Object>) value;
    }

    /** A compose duration such as 45s, 1m30s or 500ms, in milliseconds. */
    private static long durationMillis(String duration) {
        Matcher part = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|h|m|s)").matcher(duration.trim());
        double millis = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            double amount = Double.parseDouble(part.group(1));
            millis += switch (part.group(2)) {
                case "h" -> amount * 3_600_000;
                case "m" -> amount * 60_000;
                case "s" -> amount * 1_000;
                case "ms" -> amount;
                default -> amount / 1_000;
            };
            end = part.end();
        }
        assertEquals(duration.trim().length(), end, "not a compose duration: " + duration);
        return (long) millis;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dockerfile

    record Instruction(String keyword, String args) {

        /** ENV's variables: both "ENV A=1 B=2" and the legacy "ENV A 1". */
        Map<String, String> envPairs() {
            Map<String, String> pairs = new LinkedHashMap<>();
            List<String> words = words(args);
            if (!words.isEmpty() && !words.get(0).contains("=")) {
                pairs.put(words.get(0), args.substring(args.indexOf(words.get(0)) + words.get(0).length()).trim());
                return pairs;
            }
            for (String word : words) {
                String[] pair = word.split("=", 2);
                pairs.put(pair[0], pair.length == 2 ? unquote(pair[1]) : "");
            }
            return pairs;
        }

        List<String> jsonArray() {
            Object parsed = new Load(LoadSettings.builder().build()).loadFromString(args);
            assertTrue(parsed instanceof List, keyword + " is not a JSON array: " + args);
            List<String> items = new ArrayList<>();
            for (Object item : (List<?>) parsed) {
                items.add(String.valueOf(item));
            }
            return items;
        }

        /** COPY's flags (--from=build), sources and destination. */
        Copy copy() {
            List<String> words = args.startsWith("[") ? jsonArray() : words(args);
            String from = null;
            List<String> paths = new ArrayList<>();
            for (String word : words) {
                if (word.startsWith("--from=")) {
                    from = word.substring("--from=".length());
                } else if (!word.startsWith("--")) {
                    paths.add(word);
                }
            }
            return new Copy(from, paths.subList(0, paths.size() - 1), paths.get(paths.size() - 1));
        }
    }

    private record Copy(String from, List<String> sources, String destination) {
    }

    record Stage(String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }

        /** The working directory of the ENTRYPOINT: the stage's last WORKDIR, each relative one resolved on the one before. */
        String workdir() {
            String workdir = "/";
            for (Instruction instruction : all("WORKDIR")) {
                workdir = join(workdir, instruction.args().trim());
            }
            return workdir;
        }

        /** Whether a COPY (or ADD) from the build context puts {@code source} at {@code destination}. */
        boolean copiesFromContext(String source, String destination) {
            return copies(false, source, destination);
        }

        /** Whether a COPY --from another stage puts the file or folder ending in {@code source} at {@code destination}. */
        boolean copiesFromStage(String source, String destination) {
            return copies(true, source, destination);
        }

        private boolean copies(boolean fromStage, String source, String destination) {
            String workdir = "/";
            for (Instruction instruction : instructions) {
                if (instruction.keyword().equals("WORKDIR")) {
                    workdir = join(workdir, instruction.args().trim());
                }
                if (!instruction.keyword().equals("COPY") && !instruction.keyword().equals("ADD")) {
                    continue;
                }
                Copy copy = instruction.copy();
                if (fromStage != (copy.from() != null) || copy.sources().size() != 1) {
                    continue;
                }
                String copied = stripTrailingSlash(copy.sources().get(0)).replaceFirst("^\\./", "");
                boolean sameSource = fromStage ? copied.endsWith("/" + source) || copied.equals(source) : copied.equals(source);
                String target = join(workdir, copy.destination());
                // "COPY x.jar /app/" puts the file at /app/x.jar
                boolean sameTarget = target.equals(destination)
                        || copy.destination().endsWith("/") && fromStage && join(target, Path.of(copied).getFileName().toString()).equals(destination);
                if (sameSource && sameTarget) {
                    return true;
                }
            }
            return false;
        }
    }

    private static List<Stage> dockerfileStages() throws IOException {
        List<Stage> stages = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("#") || trimmed.isEmpty() && logical.length() == 0) {
                continue; // comments (also inside a continued instruction) and blank lines
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String[] parts = logical.toString().trim().split("\\s+", 2);
            logical.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length == 2 ? parts[1].trim() : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.args().split("\\s+");
                String name = from.length >= 3 && from[from.length - 2].equalsIgnoreCase("AS") ? from[from.length - 1] : from[0];
                stages.add(new Stage(name, new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        assertFalse(stages.isEmpty(), "the Dockerfile has no FROM");
        return stages;
    }

    /** The last stage: the image that runs. */
    static Stage runtimeStage() throws IOException {
        List<Stage> stages = dockerfileStages();
        return stages.get(stages.size() - 1);
    }

    /** The jar's name: pom.xml's build finalName. */
    private static String finalName() throws IOException {
        Matcher finalName = Pattern.compile("<finalName>\\s*([^<\\s]+)\\s*</finalName>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(finalName.find(), "pom.xml has no build finalName");
        return finalName.group(1);
    }

    /** Whitespace-separated words, keeping quoted spans and backslash-escaped characters together. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                word.append(c).append(text.charAt(++i));
                inWord = true;
            } else if (quote != 0) {
                word.append(c);
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                word.append(c);
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    /** {@code path} resolved against the directory {@code base}, as Docker resolves WORKDIR and COPY destinations. */
    static String join(String base, String path) {
        Path resolved = Path.of(base).resolve(path).normalize();
        return stripTrailingSlash(resolved.toString());
    }

    private static String stripTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
