package io.github.chakrakafkapipeline;

import org.apache.camel.main.Main;

/** Starts the pipeline: Camel Main with {@code config/application.properties} and the routes in {@code routes/}. */
public final class PipelineApplication {

    private PipelineApplication() {
    }

    public static void main(String... args) throws Exception {
        System.exit(newMain().run(args));
    }

    /** The application as it ships; tests and the demo boot this same instance with a few overrides. */
    public static Main newMain() {
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation("file:config/application.properties");
        main.configure().addConfiguration(PipelineConfiguration.class);
        return main;
    }
}
