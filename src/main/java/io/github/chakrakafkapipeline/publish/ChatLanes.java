package io.github.chakrakafkapipeline.publish;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

import io.github.chakrakafkapipeline.chakra.PagedFetch;
import io.github.chakrakafkapipeline.chakra.TargetPoll;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One lane per chat: whichever target read them (a listed chat, a phone number, discovery, the sweep), a chat's new
 * messages are told apart from the published ones, claimed and published one response at a time. Two reads of one
 * chat at once would otherwise split its new messages between two transactions that commit in either order, and a
 * newer message would overtake an older one. A response enters the lanes of its chats before it looks at what is
 * new, waiting while another response of one of them is under way, and leaves them when its exchange is done: its
 * transaction committed or aborted, its claims settled. Reads of other chats go on meanwhile. The body is the read's
 * complete {@link PagedFetch}.
 * <p>
 * Written here because Camel's EIPs serialize by route or by correlation key within one aggregator, not across two
 * routes' exchanges for the lifetime of an asynchronous publish. A processor, since it registers the exchange's
 * completion.
 */
public class ChatLanes implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(ChatLanes.class);

    private final Map<String, Semaphore> lanes = new ConcurrentHashMap<>();
    /**
     * When a response of the chat last left its lane with messages that did not reach Kafka (System.nanoTime): a read
     * that started before then may have stopped short of them, as they were claimed, and so must not publish the chat's
     * newer ones ahead of them.
     */
    private final Map<String, Long> failedAt = new ConcurrentHashMap<>();

    @Override
    public void process(Exchange exchange) throws InterruptedException {
        TargetPoll poll = exchange.getProperty(TargetPoll.PROPERTY, TargetPoll.class);
        PagedFetch fetch = exchange.getMessage().getBody(PagedFetch.class);
        // in order of chat id, so that two responses that share several chats cannot wait for each other
        List<String> chats = fetch.chats();
        int entered = 0;
        try {
            for (String chat : chats) {
                lanes.computeIfAbsent(chat, c -> new Semaphore(1)).acquire();
                entered++;
            }
        } finally {
            if (entered < chats.size()) {
                leave(chats.subList(0, entered)); // interrupted while waiting: the response goes no further
            }
        }
        Set<String> stale = new TreeSet<>();
        for (String chat : chats) {
            Long failed = failedAt.get(chat);
            if (failed != null && poll.startedBefore(failed)) {
                stale.add(chat);
            }
        }
        if (!stale.isEmpty()) {
            fetch.leaveOut(stale);
            LOG.info("{}: chats {} are left to the next poll: an earlier read of them failed while this one ran, so "
                    + "this one may lack older messages, which no newer one may overtake", poll.getTarget(), stale);
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                leave(chats);
            }
        });
    }

    /**
     * A message of the chat did not reach Kafka, and its claim is released now (Publishing.settle): a read of the chat
     * that began before now may have stopped short of it, and must not publish the chat's newer messages ahead of it.
     */
    public void failed(String chat) {
        if (chat != null) {
            failedAt.put(chat, System.nanoTime());
        }
    }

    /** How many responses wait for the chat's lane now. */
    public int waiting(String chat) {
        Semaphore lane = lanes.get(chat);
        return lane == null ? 0 : lane.getQueueLength();
    }

    private void leave(List<String> chats) {
        chats.forEach(chat -> lanes.get(chat).release());
    }
}
