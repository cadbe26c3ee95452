package io.github.chakrakafkapipeline.ops;

import io.github.chakrakafkapipeline.chakra.ChakraConfiguration;
import io.github.chakrakafkapipeline.dedup.DedupConfiguration;
import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.lease.LeaseConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.poll.PollConfiguration;
import io.github.chakrakafkapipeline.settings.InvalidSettingException;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;

/** What ops see: the readiness check, the management port, and the reloads of the routes/ files. */
public class OpsConfiguration implements CamelConfiguration {

    public static final String PIPELINE_READINESS = "pipelineReadiness";

    @Override
    public void configure(CamelContext context) throws Exception {
        // before Camel starts: its management server, failing to bind, would log a stack trace and start without it
        checkManagementPort(context);
        // bound here, once every other bean is: it reads the state of them all; Camel's health registry finds it
        // by type as it starts
        RouteReloads reloads = new RouteReloads(context);
        context.getRegistry().bind(PIPELINE_READINESS, new ReadinessCheck(() -> KafkaClientConfig.of(context),
                DedupConfiguration.dedupState(context), TopicsConfiguration.kafkaProblems(context),
                ChakraConfiguration.callNotifier(context), reloads, () -> LeaseConfiguration.lease(context),
                () -> PollConfiguration.targetPolls(context).progress()));
        MetricsConfiguration.metrics(context).onStart(metrics -> {
            metrics.functionCounter("chakra.pipeline.routes.reloads", "Reloads of the routes/ files", reloads::reloads);
            metrics.functionCounter("chakra.pipeline.routes.reload.failures",
                    "Reloads rejected because an edited route file was broken", reloads::failures);
        });
    }

    private static void checkManagementPort(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        if (!Boolean.parseBoolean(properties.resolveProperty("camel.management.enabled").orElse("false"))) {
            return;
        }
        String port = properties.resolveProperty("camel.management.port").orElse("").trim();
        try {
            ManagementPort.checkFree(properties.resolveProperty("camel.management.host").orElse("0.0.0.0"),
                    Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("pipeline.management.port", "'" + port + "' is not a port number");
        }
    }
}
