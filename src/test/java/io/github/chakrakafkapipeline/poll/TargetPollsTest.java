package io.github.chakrakafkapipeline.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.chakrakafkapipeline.chakra.RequestBudget;
import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import io.github.chakrakafkapipeline.testsupport.ShippedSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * Which targets a poll starts. A target is held as being read from the moment the poll hands it to a read until that
 * read ends, so that no later poll reads it twice at once; a target the poll never reached (the lease lost midway
 * through the poll) must not be held. Before, each poll held every target it listed for up to an hour: seen in the
 * large benchmark, where a lease lost midway through a poll of 2,000 chats left 959 of them unread.
 */
class TargetPollsTest {

    private static final List<String> CHATS = List.of("chat-a", "chat-b", "chat-c");

    private final PipelineMetrics metrics = new PipelineMetrics(SimpleMeterRegistry::new);
    private final TargetPolls polls = new TargetPolls(metrics, settings(), new PollSchedule(Duration.ofSeconds(1),
            Clock.systemUTC(), "* * * * * ?"), new RequestBudget(100, metrics), null, null, new Sweep(Duration.ofHours(1)),
            Duration.ofMinutes(5), "none", "none");

    @Test
    void a_target_the_poll_never_handed_to_a_read_is_due_again() {
        List<TargetPoll> due = polls.due();
        assertEquals(CHATS, targets(due));
        // the poll handed out one read only, then ended
        assertTrue(polls.handOut(due.get(0)));
        polls.begin(due.get(0), new DefaultExchange(new DefaultCamelContext()));
        assertEquals(List.of("chat-b", "chat-c"), targets(polls.due()),
                "the two never handed out are due again; the one being read is not");
        assertFalse(polls.handOut(due.get(0)), "a target being read is not handed out twice");
    }

    private static List<String> targets(List<TargetPoll> due) {
        return due.stream().map(TargetPoll::getTarget).toList();
    }

    /** The shipped settings, with three listed chats and discovery off. */
    private static PipelineSettings settings() {
        Map<String, String> settings = ShippedSettings.read();
        settings.put("chakra.api.token", "t");
        settings.put("chakra.chat.ids", String.join(",", CHATS));
        settings.put("chakra.chat.discovery", "off");
        return PipelineSettings.load(settings::get);
    }
}
