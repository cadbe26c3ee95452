package io.github.chakrakafkapipeline.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;

import io.github.chakrakafkapipeline.settings.StartupCheckFailedException;
import io.github.chakrakafkapipeline.testsupport.RunningPipeline;
import org.junit.jupiter.api.Test;

/** The start-up check of the management port; the packaged jar's exit on it is PackagedJarIT's. */
class ManagementPortTest {

    @Test
    void a_port_another_process_holds_is_named_with_its_setting() throws Exception {
        try (ServerSocket replica = new ServerSocket(0)) {
            int port = replica.getLocalPort();
            StartupCheckFailedException failed = assertThrows(StartupCheckFailedException.class,
                    () -> ManagementPort.checkFree("0.0.0.0", port));
            assertEquals("the management port " + port + " (PIPELINE_MANAGEMENT_PORT) is in use on 0.0.0.0; give each"
                    + " replica its own", failed.getMessage());
        }
    }

    @Test
    void a_free_port_passes_and_stays_free() throws Exception {
        int port = RunningPipeline.freePort();
        ManagementPort.checkFree("0.0.0.0", port);
        try (ServerSocket server = new ServerSocket(port)) {
            assertEquals(port, server.getLocalPort(), "the check let the port go again");
        }
        ManagementPort.checkFree("0.0.0.0", 0);
    }

    @Test
    void a_host_that_is_not_this_machine_is_named() {
        StartupCheckFailedException failed = assertThrows(StartupCheckFailedException.class,
                () -> ManagementPort.checkFree("192.0.2.1", RunningPipeline.freePort())); // TEST-NET-1: nobody's
        assertTrue(failed.getMessage().contains("cannot be bound on 192.0.2.1 (")
                && failed.getMessage().endsWith("); check it and camel.management.host"), failed.getMessage());
    }
}
