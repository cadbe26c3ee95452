package io.github.chakrakafkapipeline.testsupport;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Everything logged in this JVM while one test runs, from any thread, as the lines the console shows: a log4j2
 * appender on the root logger, attached before each test (before its {@code @BeforeEach} methods) and removed after it
 * (after its {@code @AfterEach} methods). A test sees only its own lines, not those of tests that ran before it.
 * <pre>
 * &#64;RegisterExtension
 * final CapturedLogs logs = new CapturedLogs();
 * ...
 * assertTrue(logs.text().contains("bad-chat: could not reach ChakraHQ"));
 * </pre>
 * It sees what the root logger's levels let through (log4j2-test.properties), as the console does.
 */
public final class CapturedLogs implements BeforeEachCallback, AfterEachCallback {

    /** The pattern of the console appender in log4j2-test.properties, so a line reads the same in both. */
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n";

    private final Queue<String> lines = new ConcurrentLinkedQueue<>();
    private Appender appender;

    @Override
    public void beforeEach(ExtensionContext context) {
        lines.clear();
        LoggerContext logging = LoggerContext.getContext(false);
        Configuration configuration = logging.getConfiguration();
        PatternLayout layout = PatternLayout.newBuilder().withPattern(PATTERN).withConfiguration(configuration).build();
        appender = new AbstractAppender("captured-logs-" + context.getUniqueId(), null, layout, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                // formatted at once: the event object may be reused for the next log call
                lines.add(layout.toSerializable(event));
            }
        };
        appender.start();
        configuration.getRootLogger().addAppender(appender, null, null);
        logging.updateLoggers();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LoggerContext logging = LoggerContext.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        root.removeAppender(appender.getName());
        logging.updateLoggers();
        appender.stop();
    }

    /** Each log event so far, formatted (a stack trace, if any, is part of its event's line). */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The whole log of this test so far, one line after the other. */
    public String text() {
        return String.join("", lines);
    }
}
