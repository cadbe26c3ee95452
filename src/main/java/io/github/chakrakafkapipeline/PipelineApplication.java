package io.github.chakrakafkapipeline;

import java.util.List;

import io.github.chakrakafkapipeline.chakra.ChakraConfiguration;
import io.github.chakrakafkapipeline.chats.ChatsConfiguration;
import io.github.chakrakafkapipeline.dedup.DedupConfiguration;
import io.github.chakrakafkapipeline.kafka.KafkaVariables;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.lease.LeaseConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.ops.OpsConfiguration;
import io.github.chakrakafkapipeline.poll.PollConfiguration;
import io.github.chakrakafkapipeline.publish.PublishConfiguration;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import io.github.chakrakafkapipeline.settings.StartupCheckFailedException;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the pipeline: Camel Main with {@code config/application.properties} and the routes in {@code routes/}. */
public final class PipelineApplication {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineApplication.class);
    /**
     * Each package's beans (the routes refer to them by name) and its part of the start-up. Camel binds the beans of
     * them all, in this order, before it runs any configure step, in this order too: a package comes after those whose
     * beans it takes. The lease comes before the poll and publishing, which listen to it; the states load after the
     * topics check.
     */
    static final List<Class<? extends CamelConfiguration>> CONFIGURATIONS = List.of(SettingsConfiguration.class,
            MetricsConfiguration.class, OpsConfiguration.class, TopicsConfiguration.class, ChatsConfiguration.class,
            DedupConfiguration.class, ChakraConfiguration.class, LeaseConfiguration.class, PollConfiguration.class,
            PublishConfiguration.class);

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
        CONFIGURATIONS.forEach(main.configure()::addConfiguration);
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
