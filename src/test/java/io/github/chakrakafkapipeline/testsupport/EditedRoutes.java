package io.github.chakrakafkapipeline.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A copy of routes/ with an ops edit applied, for a test that runs the pipeline on it. */
public final class EditedRoutes {

    /** The README's worked example (Try changing): image messages to the topic {{pipeline.topic.media}}. */
    public static final String MEDIA_TOPIC_WHEN = """
                              - id: media-topic-when
                                expression:
                                  simple: "${body.field('dataType')} == 'image'"
                                steps:
                                  - setHeader:
                                      id: media-topic-set
                                      name: kafka.OVERRIDE_TOPIC
                                      expression:
                                        constant: "{{pipeline.topic.media}}"
                """;
    /** The line of message-route the README says to insert it before. */
    public static final String MEDIA_TOPIC_BEFORE = "              - id: inbound-topic-when\n";

    private EditedRoutes() {
    }

    /** Copies routes/ into {@code routes}; the copy of message-route is the file to edit. */
    public static Path copy(Path routes) throws IOException {
        try (var files = Files.newDirectoryStream(Path.of("routes"), "*.camel.yaml")) {
            for (Path route : files) {
                Files.copy(route, routes.resolve(route.getFileName()));
            }
        }
        return routes.resolve("message-route.camel.yaml");
    }

    /** Copies routes/ into {@code routes} with the README's media rule in message-route; set pipeline.topic.media. */
    public static void withMediaTopic(Path routes) throws IOException {
        Path messageRoute = copy(routes);
        Files.writeString(messageRoute, insertBefore(Files.readString(messageRoute), MEDIA_TOPIC_BEFORE,
                MEDIA_TOPIC_WHEN));
    }

    public static String insertBefore(String text, String anchor, String insert) {
        int at = text.indexOf(anchor);
        if (at < 0) {
            throw new AssertionError("routes/message-route.camel.yaml no longer has the line the README points at: "
                    + anchor);
        }
        return text.substring(0, at) + insert + text.substring(at);
    }
}
