package io.github.chakrakafkapipeline.ops;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import io.github.chakrakafkapipeline.settings.StartupCheckFailedException;

/**
 * Checks at start-up that the management port (health and metrics) can be bound, so that a port another process holds
 * (two replicas on one host) stops start-up with one line. Camel's management server does not: its Vert.x server
 * fails to bind on an event-loop thread, logs a stack trace, and Camel starts regardless, with no health endpoint at
 * all, which an orchestrator then reads as a service that never gets ready, with no reason given.
 * <p>
 * The check binds the port and closes it again just before Camel starts. Another process could take the port between
 * the two (a race of a few seconds at start-up at most); the check is for the common case, a port already taken.
 */
public final class ManagementPort {

    /** The setting that names the port; camel.management.port takes its value. */
    static final String SETTING = "PIPELINE_MANAGEMENT_PORT";

    private ManagementPort() {
    }

    /**
     * Fails with a {@link StartupCheckFailedException} that names the port, the setting and what to do, if the port
     * cannot be bound on the host; port 0 (any free port) always can.
     */
    public static void checkFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            String problem = String.valueOf(e.getMessage());
            if (problem.toLowerCase().contains("in use")) {
                throw new StartupCheckFailedException("the management port " + port + " (" + SETTING + ") is in use on "
                        + host + "; give each replica its own", e);
            }
            throw cannotBind(host, port, problem, e);
        } catch (IOException | IllegalArgumentException | SecurityException e) {
            throw cannotBind(host, port, String.valueOf(e.getMessage()), e);
        }
    }

    private static StartupCheckFailedException cannotBind(String host, int port, String problem, Exception cause) {
        return new StartupCheckFailedException("the management port " + port + " (" + SETTING + ") cannot be bound on "
                + host + " (" + problem + "); check it and camel.management.host", cause);
    }
}
