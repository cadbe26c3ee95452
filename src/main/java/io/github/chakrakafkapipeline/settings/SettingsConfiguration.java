package io.github.chakrakafkapipeline.settings;

import java.time.Duration;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;

/** The settings, checked as a whole before anything else is made of them. */
public class SettingsConfiguration implements CamelConfiguration {

    public static final String PIPELINE_SETTINGS = "pipelineSettings";

    @BindToRegistry(PIPELINE_SETTINGS)
    public PipelineSettings pipelineSettings(CamelContext context) {
        return PipelineSettings.load(key -> context.getPropertiesComponent().resolveProperty(key).orElse(null));
    }

    /** A setting the pipeline cannot do without, trimmed; a missing one names its key. */
    public static String required(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key).map(String::trim).orElseThrow(() ->
                new InvalidSettingException(key, "it must be set"));
    }

    /** A required setting in milliseconds. */
    public static Duration millis(CamelContext context, String key) {
        return Duration.ofMillis(Long.parseLong(required(context, key)));
    }

    /** The settings bean, for the configure steps of the other packages. */
    public static PipelineSettings settings(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(PIPELINE_SETTINGS, PipelineSettings.class);
    }
}
