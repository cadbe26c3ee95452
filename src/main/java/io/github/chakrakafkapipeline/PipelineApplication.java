package io.github.chakrakafkapipeline;

import io.github.chakrakafkapipeline.kafka.KafkaVariables;
import io.github.chakrakafkapipeline.settings.StartupCheckFailedException;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the pipeline: Camel Main with {@code config/application.properties} and the routes in {@code routes/}. */
public final class PipelineApplication {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);

    private PipelineApplication() {
    }

    public static void main(String... args) throws Exception {
        try {
            System.exit(newMain().run(args));
        } catch (Exception e) {
            StartupCheckFailedException failed = findCause(e, StartupCheckFailedException.class);
            if (failed == null) {
                throw e;
            }
            // the operator's to fix (a setting, the broker): one line that says what, no stack trace to dig through
            LOG.error("Start-up failed: {}", failed.getMessage());
            System.exit(2);
        }
    }

    /** The application as it ships; tests and the demo boot this same instance with a few overrides. */
    public static Main newMain() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("file:config/application.properties");
        main.configure().addConfiguration(PipelineConfiguration.class);
        KafkaVariables.overrides(System.getenv()).forEach(main::addOverrideProperty);
        return main;
    }

    static <T extends Throwable> T findCause(Throwable error, Class<T> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
