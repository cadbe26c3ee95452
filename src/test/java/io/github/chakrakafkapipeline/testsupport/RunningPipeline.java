package io.github.chakrakafkapipeline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import io.github.chakrakafkapipeline.PipelineApplication;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/** The real application (real routes, real config file) started in this JVM with a few settings overridden. */
public final class RunningPipeline implements AutoCloseable {

    private final Main main;

    private RunningPipeline(Main main) {
        this.main = main;
    }

    public static RunningPipeline start(Map<String, String> overrides) {
        Main main = PipelineApplication.newMain();
        // a free management port, so that test JVMs running side by side do not collide on the default one
        main.addOverrideProperty("pipeline.management.port", String.valueOf(freePort()));
        overrides.forEach(main::addOverrideProperty);
        main.start();
        if (main.getCamelContext() == null || !main.getCamelContext().isStarted()) {
            main.stop();
            throw new IllegalStateException("The pipeline did not start; see the log above");
        }
        return new RunningPipeline(main);
    }

    /** A TCP port nothing listens on now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    @Override
    public void close() {
        main.stop();
    }
}
