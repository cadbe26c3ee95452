package io.github.chakrakafkapipeline.metrics;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/** The pipeline's meters, in the registry that Camel's Prometheus support (camel.metrics.*) makes and serves. */
public class MetricsConfiguration implements CamelConfiguration {

    public static final String PIPELINE_METRICS = "pipelineMetrics";

    @BindToRegistry(PIPELINE_METRICS)
    public PipelineMetrics pipelineMetrics(CamelContext context) {
        return new PipelineMetrics(() -> MicrometerUtils.getMeterRegistryFromCamelRegistry(
                context.getRegistry(), MicrometerConstants.METRICS_REGISTRY_NAME));
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        // the gauges once Camel's metrics registry exists, which is after the configurations ran
        PipelineMetrics metrics = metrics(context);
        context.addStartupListener((started, alreadyStarted) -> metrics.start());
    }

    public static PipelineMetrics metrics(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(PIPELINE_METRICS, PipelineMetrics.class);
    }
}
