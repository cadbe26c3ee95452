package io.github.chakrakafkapipeline.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The packaged jar (target/chakra-kafka-pipeline.jar) in a child process, as ops run it: configured by environment. */
public final class PipelineJar {

    private PipelineJar() {
    }

    /** Starts the jar from the repository root, its output appended to {@code log}, on its own management port. */
    public static Process start(Map<String, String> env, int managementPort, Path log) throws IOException {
        ProcessBuilder builder = builder(log);
        builder.environment().putAll(env);
        builder.environment().put("PIPELINE_MANAGEMENT_PORT", String.valueOf(managementPort));
        return builder.start();
    }

    /** The command that runs the jar from the repository root, its output appended to {@code log}; not started. */
    public static ProcessBuilder builder(Path log) {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/chakra-kafka-pipeline.jar")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
}
