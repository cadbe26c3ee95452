package io.github.chakrakafkapipeline.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged jar (target/chakra-kafka-pipeline.jar) in a child process, as ops run it: configured by environment. */
public final class PipelineJar {

    private static final Pattern METRIC = Pattern.compile("(?m)^(\\w+)(\\{[^}]*})? ([0-9.eE+-]+|NaN)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private PipelineJar() {
    }

    /** Starts the jar from the repository root, its output appended to {@code log}, on its own management port. */
    public static Process start(Map<String, String> env, int managementPort, Path log) throws IOException {
        ProcessBuilder builder = builder(log);
        builder.environment().putAll(env);
        builder.environment().put("PIPELINE_MANAGEMENT_PORT", String.valueOf(managementPort));
        return builder.start();
    }

    /** {@code target/<name>}, empty: where a test's replicas append their output. */
    public static Path freshLog(String name) throws IOException {
        Path log = Path.of("target", name);
        Files.createDirectories(log.getParent());
        Files.deleteIfExists(log);
        return log;
    }

    /** The command that runs the jar from the repository root, its output appended to {@code log}; not started. */
    public static ProcessBuilder builder(Path log) {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/chakra-kafka-pipeline.jar")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    /** How many of the replicas on these management ports say they hold the lease. */
    public static int leaders(int... managementPorts) {
        int leaders = 0;
        for (int port : managementPorts) {
            leaders += metric(port, "chakra_pipeline_lease_leader") == 1 ? 1 : 0;
        }
        return leaders;
    }

    /**
     * A metric of the running jar on its management port, summed over its labels ({@code name}, e.g.
     * {@code chakra_pipeline_api_calls_total}) or one series ({@code name{labels}}); 0 when it is not served (yet), -1
     * when the replica does not answer (stopped, or frozen).
     */
    public static double metric(int managementPort, String name) {
        try {
            String body = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/observe/metrics")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            double sum = 0;
            for (Matcher line = METRIC.matcher(body); line.find(); ) {
                if (line.group(1).equals(name) || (line.group(1) + line.group(2)).equals(name)) {
                    sum += Double.parseDouble(line.group(3));
                }
            }
            return sum;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
