package io.github.chakrakafkapipeline;

import static io.github.chakrakafkapipeline.ContainerFilesTest.ROOT;
import static io.github.chakrakafkapipeline.ContainerFilesTest.TOKEN_ASSIGNMENT;
import static io.github.chakrakafkapipeline.ContainerFilesTest.TOKEN_VARIABLE;
import static io.github.chakrakafkapipeline.ContainerFilesTest.assertAllOverrideConfigKeys;
import static io.github.chakrakafkapipeline.ContainerFilesTest.config;
import static io.github.chakrakafkapipeline.ContainerFilesTest.configFolder;
import static io.github.chakrakafkapipeline.ContainerFilesTest.configLocation;
import static io.github.chakrakafkapipeline.ContainerFilesTest.isEmptyOrPassThrough;
import static io.github.chakrakafkapipeline.ContainerFilesTest.join;
import static io.github.chakrakafkapipeline.ContainerFilesTest.map;
import static io.github.chakrakafkapipeline.ContainerFilesTest.pipelineService;
import static io.github.chakrakafkapipeline.ContainerFilesTest.routesFolder;
import static io.github.chakrakafkapipeline.ContainerFilesTest.runtimeStage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps the Kubernetes manifests (deploy/kubernetes) in step with the image and the application: two replicas of the
 * compose image, probes on the management port's health paths, a grace period longer than Camel's shutdown, the
 * Dockerfile's non-root user, only variables that override a real config key, the token from a Secret only, a
 * disruption budget over the Deployment's pods, and ConfigMaps that hold every route file and the configuration where
 * the image reads them. Nothing is applied to a cluster: the files are read as YAML, with {@link ContainerFilesTest}'s
 * helpers for the Dockerfile, docker-compose.yml and config/application.properties.
 */
class DeployFilesTest {

    private static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes");
    private static final Path KUSTOMIZATION = KUBERNETES.resolve("kustomization.yaml");
    private static final String READINESS_PATH = "/observe/health/ready";
    private static final String LIVENESS_PATH = "/observe/health/live";
    private static final String MANAGEMENT_PORT_VARIABLE = "PIPELINE_MANAGEMENT_PORT";

    // ---------------------------------------------------------------------------------------------------------
    // the Deployment

    @Test
    void deployment_runs_two_replicas_of_the_compose_image() throws IOException {
        Map<String, Object> deployment = resource("Deployment");
        assertEquals(2, map(deployment.get("spec")).get("replicas"), "the Deployment must run 2 replicas");

        Object composeImage = pipelineService().get("image");
        assertEquals(composeImage, container().get("image"),
                "the Deployment runs another image than docker-compose.yml's pipeline service builds");
    }

    @Test
    void probes_ask_the_management_port_for_liveness_and_readiness() throws IOException {
        Map<String, Object> container = container();
        int managementPort = managementPort(container);

        Map<String, Object> readiness = probe(container, "readinessProbe");
        Map<String, Object> liveness = probe(container, "livenessProbe");
        assertEquals(READINESS_PATH, httpGet(readiness).get("path"), "readinessProbe asks the wrong path");
        assertEquals(LIVENESS_PATH, httpGet(liveness).get("path"), "livenessProbe asks the wrong path");
        for (String name : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            if (container.get(name) != null) {
                assertEquals(managementPort, probePort(container, probe(container, name)),
                        name + " does not ask the management port " + managementPort);
            }
        }
        if (container.get("startupProbe") != null) {
            Object path = httpGet(probe(container, "startupProbe")).get("path");
            assertTrue(LIVENESS_PATH.equals(path) || READINESS_PATH.equals(path), "startupProbe asks " + path
                    + ", which is neither " + LIVENESS_PATH + " nor " + READINESS_PATH);
        }
    }

    @Test
    void liveness_waits_out_the_dedup_topic_load_at_start_up() throws IOException {
        // start-up reads the whole dedup topic first, for up to pipeline.dedup.load.timeout.millis
        long loadSeconds = Long.parseLong(config().getProperty("pipeline.dedup.load.timeout.millis").trim()) / 1000;
        Map<String, Object> container = container();
        Object startup = container.get("startupProbe");
        String which = startup != null ? "startupProbe" : "livenessProbe";
        Map<String, Object> probe = probe(container, which);
        // Kubernetes' defaults: no initial delay, every 10 s, 3 failures
        long budget = seconds(probe, "initialDelaySeconds", 0)
                + seconds(probe, "periodSeconds", 10) * seconds(probe, "failureThreshold", 3);
        assertTrue(budget > loadSeconds, which + " gives up after " + budget + " s, before the dedup topic's load may end ("
                + loadSeconds + " s, pipeline.dedup.load.timeout.millis): a large dedup topic would restart the pod forever");
    }

    @Test
    void deployment_waits_longer_than_camel_shutdown_before_killing_a_pod() throws IOException {
        // Camel Main's default when the key is absent is 45 seconds
        long shutdownSeconds = Long.parseLong(config().getProperty("camel.main.shutdown-timeout", "45").trim());
        // Kubernetes' default when the field is absent is 30 seconds
        long grace = seconds(podSpec(), "terminationGracePeriodSeconds", 30);
        assertTrue(grace > shutdownSeconds, "terminationGracePeriodSeconds " + grace
                + " does not outlast camel.main.shutdown-timeout " + shutdownSeconds + " s");
    }

    @Test
    void pods_run_as_the_images_non_root_user() throws IOException {
        String[] user = runtimeStage().last("USER").orElseThrow().args().trim().split(":");
        Map<String, Object> pod = securityContext(podSpec());
        Map<String, Object> container = securityContext(container());

        assertEquals(Boolean.TRUE, container.getOrDefault("runAsNonRoot", pod.get("runAsNonRoot")),
                "the pods must set runAsNonRoot: true");
        Object uid = container.getOrDefault("runAsUser", pod.get("runAsUser"));
        assertEquals(user[0], String.valueOf(uid), "runAsUser " + uid + " is not the Dockerfile's USER " + String.join(":", user));
        if (user.length == 2) {
            Object gid = container.getOrDefault("runAsGroup", pod.get("runAsGroup"));
            assertEquals(user[1], String.valueOf(gid), "runAsGroup " + gid + " is not the Dockerfile's USER's group " + user[1]);
        }
        assertEquals(Boolean.FALSE, container.get("allowPrivilegeEscalation"), "the container must not escalate privileges");
    }

    // ---------------------------------------------------------------------------------------------------------
    // variables and the token

    @Test
    void every_variable_the_deployment_sets_overrides_a_config_key() throws IOException {
        for (Map<String, Object> container : containers()) {
            assertNull(container.get("envFrom"), "envFrom hides which variables reach the pipeline; list them under env");
        }
        Set<String> variables = new TreeSet<>(environment(container()).keySet());
        assertFalse(variables.isEmpty(), "the Deployment sets no environment");

        assertAllOverrideConfigKeys(variables, "deploy/kubernetes/deployment.yaml (env)");
    }

    @Test
    void the_token_comes_from_a_secret_and_no_manifest_holds_a_value() throws IOException {
        Map<String, Object> token = environment(container()).get(TOKEN_VARIABLE);
        assertNotNull(token, "the Deployment does not set " + TOKEN_VARIABLE);
        assertNull(token.get("value"), "the Deployment gives " + TOKEN_VARIABLE + " a value; take it from a Secret");
        Map<String, Object> secretKeyRef = map(map(token.get("valueFrom")).get("secretKeyRef"));
        assertNotNull(secretKeyRef.get("name"), TOKEN_VARIABLE + "'s secretKeyRef names no Secret");
        assertNotNull(secretKeyRef.get("key"), TOKEN_VARIABLE + "'s secretKeyRef names no key");

        List<String> problems = new ArrayList<>();
        for (Path file : yamlFiles()) {
            String name = ROOT.relativize(file).toString();
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher assignment = TOKEN_ASSIGNMENT.matcher(lines.get(i));
                if (assignment.find() && !isEmptyOrPassThrough(assignment.group(1))) {
                    // never echo the value: it may be a real token
                    problems.add(name + ":" + (i + 1) + " gives " + TOKEN_VARIABLE + " a value");
                }
            }
            for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
                if (document instanceof Map<?, ?> resource && "Secret".equals(resource.get("kind"))
                        && (resource.get("data") != null || resource.get("stringData") != null)) {
                    problems.add(name + " holds a Secret with data: applying it would overwrite the real token");
                }
            }
        }
        if (kustomization().get("secretGenerator") != null) {
            problems.add("kustomization.yaml generates a Secret: the token would live in a file; create it with kubectl");
        }
        assertTrue(problems.isEmpty(), String.join("; ", problems));
    }

    // ---------------------------------------------------------------------------------------------------------
    // the disruption budget

    @Test
    void disruption_budget_keeps_one_replica_and_selects_the_deployments_pods() throws IOException {
        Map<String, Object> budget = map(resource("PodDisruptionBudget").get("spec"));
        assertEquals(1, budget.get("minAvailable"), "the PodDisruptionBudget must keep minAvailable: 1");

        Map<String, Object> template = map(map(resource("Deployment").get("spec")).get("template"));
        Map<String, Object> podLabels = map(map(template.get("metadata")).get("labels"));
        Map<String, Object> budgetLabels = matchLabels(budget);
        Map<String, Object> deploymentLabels = matchLabels(map(resource("Deployment").get("spec")));
        assertFalse(budgetLabels.isEmpty(), "the PodDisruptionBudget selects no labels");
        assertTrue(podLabels.entrySet().containsAll(budgetLabels.entrySet()),
                "the PodDisruptionBudget selects " + budgetLabels + ", which the Deployment's pods " + podLabels
                        + " do not all carry");
        assertTrue(podLabels.entrySet().containsAll(deploymentLabels.entrySet()),
                "the Deployment selects " + deploymentLabels + ", which its own pods " + podLabels + " do not all carry");
    }

    // ---------------------------------------------------------------------------------------------------------
    // the kustomization and its ConfigMaps

    @Test
    void kustomization_applies_every_manifest_here() throws IOException {
        Set<String> manifests = new TreeSet<>();
        for (Path file : yamlFiles()) {
            if (!file.equals(KUSTOMIZATION)) {
                manifests.add(KUBERNETES.relativize(file).toString());
            }
        }
        assertEquals(manifests, new TreeSet<>(strings(kustomization().get("resources"))),
                "kustomization.yaml's resources and the manifests in deploy/kubernetes differ");
    }

    @Test
    void kustomization_lists_every_route_file_and_the_config_file() throws IOException {
        Map<String, Path> routes = generatedFiles(configMapMountedAt(join(runtimeStage().workdir(), routesFolder().toString())));
        PathMatcher routeFile = FileSystems.getDefault().getPathMatcher("glob:" + routesGlob());
        Map<String, Path> expected = new TreeMap<>();
        try (Stream<Path> files = Files.list(ROOT.resolve(routesFolder()))) {
            files.filter(file -> routeFile.matches(file.getFileName()))
                    .forEach(file -> expected.put(file.getFileName().toString(), file));
        }
        assertFalse(expected.isEmpty(), "no route files found in " + routesFolder());
        Set<String> unlisted = new TreeSet<>(expected.keySet());
        unlisted.removeAll(routes.keySet());
        Set<String> gone = new TreeSet<>(routes.keySet());
        gone.removeAll(expected.keySet());
        assertTrue(unlisted.isEmpty() && gone.isEmpty(), "kustomization.yaml's routes ConfigMap does not list " + unlisted
                + " of " + routesFolder() + "/, and lists " + gone + " that it does not hold (kustomize takes no wildcards:"
                + " list each file, under its own name)");
        assertEquals(expected, routes, "kustomization.yaml's routes ConfigMap reads a route file from elsewhere than "
                + routesFolder() + "/");

        Map<String, Path> config = generatedFiles(configMapMountedAt(join(runtimeStage().workdir(), configFolder().toString())));
        Path configFile = ROOT.resolve(configLocation()).normalize();
        assertEquals(configFile, config.get(configFile.getFileName().toString()),
                "kustomization.yaml's config ConfigMap does not hold " + configLocation() + " under its own name");
    }

    @Test
    void config_maps_are_mounted_read_only_where_the_image_reads_routes_and_config() throws IOException {
        String workdir = runtimeStage().workdir();
        for (Path relative : List.of(routesFolder(), configFolder())) {
            String inImage = join(workdir, relative.toString());
            String configMap = configMapMountedAt(inImage);
            assertTrue(generators().containsKey(configMap), "the ConfigMap " + configMap + " mounted at " + inImage
                    + " is not generated by kustomization.yaml's configMapGenerator");
            Map<String, Object> mount = volumeMounts().get(inImage);
            assertEquals(Boolean.TRUE, mount.get("readOnly"),
                    "the Deployment mounts " + inImage + " writable; it should be read-only");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // reading the manifests

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            return files.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static Map<String, Object> kustomization() throws IOException {
        return map(new Load(LoadSettings.builder().build()).loadFromString(Files.readString(KUSTOMIZATION)));
    }

    /** The one resource of this kind among the kustomization's resources. */
    private static Map<String, Object> resource(String kind) throws IOException {
        List<Map<String, Object>> found = new ArrayList<>();
        for (String file : strings(kustomization().get("resources"))) {
            Path path = KUBERNETES.resolve(file);
            assertTrue(Files.isRegularFile(path), "kustomization.yaml lists " + file + ", which is not a file in deploy/kubernetes");
            for (Object document : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(path))) {
                if (document != null && kind.equals(map(document).get("kind"))) {
                    found.add(map(document));
                }
            }
        }
        assertEquals(1, found.size(), "expected one " + kind + " among kustomization.yaml's resources, found " + found.size());
        return found.get(0);
    }

    private static Map<String, Object> podSpec() throws IOException {
        return map(map(map(resource("Deployment").get("spec")).get("template")).get("spec"));
    }

    private static List<Map<String, Object>> containers() throws IOException {
        List<Map<String, Object>> containers = new ArrayList<>();
        for (Object container : (List<?>) podSpec().get("containers")) {
            containers.add(map(container));
        }
        return containers;
    }

    /** The pipeline's container: the only one. */
    private static Map<String, Object> container() throws IOException {
        List<Map<String, Object>> containers = containers();
        assertEquals(1, containers.size(), "the Deployment's pods should run the pipeline's container only");
        return containers.get(0);
    }

    /** The container's env entries by name. */
    private static Map<String, Map<String, Object>> environment(Map<String, Object> container) {
        Map<String, Map<String, Object>> environment = new LinkedHashMap<>();
        Object env = container.get("env");
        if (env instanceof List<?> entries) {
            for (Object entry : entries) {
                environment.put(String.valueOf(map(entry).get("name")), map(entry));
            }
        }
        return environment;
    }

    /** The management port in the container: PIPELINE_MANAGEMENT_PORT where the Deployment sets it, else the config's. */
    private static int managementPort(Map<String, Object> container) throws IOException {
        Map<String, Object> variable = environment(container).get(MANAGEMENT_PORT_VARIABLE);
        Object value = variable != null ? variable.get("value") : config().getProperty("pipeline.management.port");
        return Integer.parseInt(String.valueOf(value).trim());
    }

    private static Map<String, Object> probe(Map<String, Object> container, String name) {
        Object probe = container.get(name);
        assertNotNull(probe, "the pipeline's container has no " + name);
        return map(probe);
    }

    private static Map<String, Object> httpGet(Map<String, Object> probe) {
        Object httpGet = probe.get("httpGet");
        assertNotNull(httpGet, "a probe that is not an httpGet cannot ask the health endpoints: " + probe);
        return map(httpGet);
    }

    /** The port a probe asks, a container port's name resolved to its number. */
    private static int probePort(Map<String, Object> container, Map<String, Object> probe) {
        Object port = httpGet(probe).get("port");
        if (port instanceof Number number) {
            return number.intValue();
        }
        for (Object declared : (List<?>) container.getOrDefault("ports", List.of())) {
            if (String.valueOf(port).equals(map(declared).get("name"))) {
                return ((Number) map(declared).get("containerPort")).intValue();
            }
        }
        throw new AssertionError("a probe asks the port " + port + ", which the container does not declare");
    }

    private static long seconds(Map<String, Object> owner, String field, long orElse) {
        Object value = owner.get(field);
        return value == null ? orElse : ((Number) value).longValue();
    }

    private static Map<String, Object> securityContext(Map<String, Object> owner) {
        Object context = owner.get("securityContext");
        return context == null ? Map.of() : map(context);
    }

    private static Map<String, Object> matchLabels(Map<String, Object> spec) {
        Object selector = spec.get("selector");
        assertNotNull(selector, "no selector in " + spec);
        Object labels = map(selector).get("matchLabels");
        return labels == null ? Map.of() : map(labels);
    }

    /** The Deployment's volume mounts by path. */
    private static Map<String, Map<String, Object>> volumeMounts() throws IOException {
        Map<String, Map<String, Object>> mounts = new LinkedHashMap<>();
        for (Object mount : (List<?>) container().getOrDefault("volumeMounts", List.of())) {
            mounts.put(join("/", String.valueOf(map(mount).get("mountPath"))), map(mount));
        }
        return mounts;
    }

    /** The name of the ConfigMap the Deployment mounts at this path. */
    private static String configMapMountedAt(String path) throws IOException {
        Map<String, Object> mount = volumeMounts().get(path);
        assertNotNull(mount, "the Deployment mounts nothing at " + path + ", where the image reads it; mounts: "
                + volumeMounts().keySet());
        assertNull(mount.get("subPath"), "the mount at " + path + " uses subPath: Kubernetes never updates those");
        for (Object volume : (List<?>) podSpec().getOrDefault("volumes", List.of())) {
            if (map(volume).get("name").equals(mount.get("name"))) {
                Object configMap = map(volume).get("configMap");
                assertNotNull(configMap, "the volume mounted at " + path + " is not a ConfigMap");
                return String.valueOf(map(configMap).get("name"));
            }
        }
        throw new AssertionError("the Deployment mounts the volume " + mount.get("name") + ", which it does not declare");
    }

    /** configMapGenerator's entries by name. */
    private static Map<String, Map<String, Object>> generators() throws IOException {
        Map<String, Map<String, Object>> generators = new LinkedHashMap<>();
        Object declared = kustomization().get("configMapGenerator");
        if (declared instanceof List<?> entries) {
            for (Object entry : entries) {
                generators.put(String.valueOf(map(entry).get("name")), map(entry));
            }
        }
        return generators;
    }

    /** A generated ConfigMap's files: key (the file name in the mount) to the file it is read from. */
    private static Map<String, Path> generatedFiles(String configMap) throws IOException {
        Map<String, Object> generator = generators().get(configMap);
        assertNotNull(generator, "kustomization.yaml's configMapGenerator does not generate " + configMap);
        Map<String, Path> files = new TreeMap<>();
        for (String entry : strings(generator.get("files"))) {
            // "key=path" or "path", whose key is then the file name
            String[] pair = entry.split("=", 2);
            Path file = KUBERNETES.resolve(pair[pair.length - 1]).normalize();
            assertTrue(Files.isRegularFile(file), "kustomization.yaml lists " + entry + ", which is not a file");
            files.put(pair.length == 2 ? pair[0] : file.getFileName().toString(), file);
        }
        return files;
    }

    /** The file-name part of camel.main.routes-include-pattern (routes/*.camel.yaml gives *.camel.yaml). */
    private static String routesGlob() throws IOException {
        String pattern = config().getProperty("camel.main.routes-include-pattern").split(",")[0].trim();
        return pattern.substring(pattern.lastIndexOf('/') + 1);
    }

    private static List<String> strings(Object list) {
        assertTrue(list instanceof List, "expected a YAML list, found " + list);
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }
}
