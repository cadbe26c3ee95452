package io.github.chakrakafkapipeline.ops;

import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceReloadStrategySupport;

/** What Camel's route reloading has done so far: reloads, failed reloads, and the last failure. */
public class RouteReloads {

    private final CamelContext context;

    public RouteReloads(CamelContext context) {
        this.context = context;
    }

    public int reloads() {
        ResourceReloadStrategySupport strategy = strategy();
        return strategy == null ? 0 : strategy.getReloadCounter();
    }

    public int failures() {
        ResourceReloadStrategySupport strategy = strategy();
        return strategy == null ? 0 : strategy.getFailedCounter();
    }

    /** The message of the last failed reload, or null. */
    public String lastFailure() {
        ResourceReloadStrategySupport strategy = strategy();
        return strategy == null || strategy.getLastError() == null ? null : strategy.lastErrorMessage();
    }

    private ResourceReloadStrategySupport strategy() {
        return context.hasService(ResourceReloadStrategySupport.class);
    }
}
