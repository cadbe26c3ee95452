package io.github.chakrakafkapipeline.poll;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.chakrakafkapipeline.chakra.MalformedResponseException;
import io.github.chakrakafkapipeline.chakra.RequestBudget;
import io.github.chakrakafkapipeline.chakra.TargetPoll;
import io.github.chakrakafkapipeline.chats.ChatActivity;
import io.github.chakrakafkapipeline.chats.ChatListing;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.publish.PublishBatch;
import io.github.chakrakafkapipeline.settings.PagingStyle;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which targets a poll reads, and what became of each. A poll reads, in this order: the chat ids and phone numbers
 * listed in the settings, the chats that List chats showed changed (and those whose last read failed) as far as the
 * request budget of one poll interval goes, then the sweep's share of the known chats with what the budget has left.
 * Each target is read in the background (messages-poll's wireTap): a target still being read from an earlier poll is
 * left out, so a chat that hangs holds up no other and is never read twice at once. A target whose read failed on ChakraHQ's side is read again at the next
 * poll, then after pauses that double, up to CHAKRA_TARGET_BACKOFF_MAX_MILLIS: a chat that answers 404 or times out is
 * not called every poll.
 */
public class TargetPolls {

    private static final Logger LOG = LoggerFactory.getLogger(TargetPolls.class);

    private final PipelineMetrics metrics;
    private final PipelineSettings settings;
    private final PollSchedule schedule;
    private final RequestBudget budget;
    private final ChatActivity activity;
    private final ChatListing listing;
    private final Sweep sweep;
    private final Duration backoffMax;
    private final PagingStyle chatPaging;
    private final PagingStyle phonePaging;
    private final Map<String, Read> running = new ConcurrentHashMap<>();
    private final Map<String, Failures> backingOff = new ConcurrentHashMap<>();
    private volatile long lastSuccessMillis;
    private volatile boolean overBudgetReported;

    /** A read under way, and whether it ended well. */
    private static final class Read {
        final TargetPoll poll;
        volatile boolean finished;

        Read(TargetPoll poll) {
            this.poll = poll;
        }
    }

    /** Consecutive failures of one target, and when it may be read again (System.nanoTime). */
    private record Failures(int count, long notBefore) {
    }

    public TargetPolls(PipelineMetrics metrics, PipelineSettings settings, PollSchedule schedule, RequestBudget budget,
            ChatActivity activity, ChatListing listing, Sweep sweep, Duration backoffMax, String chatPaging,
            String phonePaging) {
        this.metrics = metrics;
        this.settings = settings;
        this.schedule = schedule;
        this.budget = budget;
        this.activity = activity;
        this.listing = listing;
        this.sweep = sweep;
        this.backoffMax = backoffMax;
        this.chatPaging = PagingStyle.parse(chatPaging);
        this.phonePaging = PagingStyle.parse(phonePaging);
    }

    /**
     * The targets this poll reads, none of them being read already: the listed chat ids and phone numbers, the changed
     * chats (newest activity first) as far as the request budget of one poll interval goes, the others staying changed
     * for the next poll, then the sweep's share with what is left. Each is held as being read only once the poll hands
     * it to a read ({@link #handOut}), so that a poll cut short (the lease lost midway, the pipeline stopping) holds
     * none of those it did not reach.
     */
    public List<TargetPoll> due() {
        List<TargetPoll> due = new ArrayList<>();
        Set<String> dueKeys = new HashSet<>();
        Map<String, Long> changed = settings.discovery() ? activity.changed() : Map.of();
        List<String> listed = settings.chatIds();
        listed.forEach(chat -> add(due, dueKeys, TargetPoll.CHAT_MESSAGES, chat, TargetPoll.LISTED,
                changed.get(chat)));
        settings.phoneNumbers().forEach(phone -> add(due, dueKeys, TargetPoll.PHONE_MESSAGES, phone, TargetPoll.LISTED,
                null));
        Duration interval = schedule.interval();
        long perPoll = budget.requestsPerSecond() * Math.max(1, interval.toSeconds());
        int listedTargets = listed.size() + settings.phoneNumbers().size();
        if (listedTargets > perPoll && !overBudgetReported) {
            overBudgetReported = true;
            LOG.warn("{} listed chat ids and phone numbers need {} calls a poll, more than the request budget allows "
                    + "({} a second, a poll every {} s): each is read less often than every poll. Raise "
                    + "CHAKRA_HTTP_REQUESTS_PER_SECOND or poll less often (PIPELINE_POLL_CRON)", listedTargets,
                    listedTargets, budget.requestsPerSecond(), interval.toSeconds());
        }
        if (settings.discovery()) {
            long room = perPoll - listing.pagesThisPoll();
            changed.entrySet().stream()
                    .filter(chat -> !listed.contains(chat.getKey()))
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                    .takeWhile(chat -> due.size() < room)
                    .forEach(chat -> add(due, dueKeys, TargetPoll.CHAT_MESSAGES, chat.getKey(), TargetPoll.CHANGED,
                            chat.getValue()));
            for (String chat : sweep.next(activity::known, interval, (int) Math.max(0, room - due.size()),
                    chat -> busy(key(TargetPoll.CHAT_MESSAGES, chat), dueKeys))) {
                add(due, dueKeys, TargetPoll.CHAT_MESSAGES, chat, TargetPoll.SWEEP, null);
            }
        }
        Map<String, Integer> reasons = new TreeMap<>();
        due.stream().filter(poll -> poll.getOperation().equals(TargetPoll.CHAT_MESSAGES))
                .forEach(poll -> reasons.merge(poll.getReason(), 1, Integer::sum));
        reasons.forEach(metrics::chatReads);
        return due;
    }

    private void add(List<TargetPoll> due, Set<String> dueKeys, String operation, String target, String reason,
            Long activityValue) {
        String key = key(operation, target);
        Failures failures = backingOff.get(key);
        if (failures != null && System.nanoTime() < failures.notBefore()) {
            return;
        }
        if (!busy(key, dueKeys)) {
            dueKeys.add(key);
            PagingStyle paging = operation.equals(TargetPoll.PHONE_MESSAGES) ? phonePaging : chatPaging;
            due.add(new TargetPoll(operation, target, paging, reason, activityValue));
        }
    }

    /** Whether the target is being read, or on this poll's list already. */
    private boolean busy(String key, Set<String> dueKeys) {
        return running.containsKey(key) || dueKeys.contains(key);
    }

    /**
     * The poll hands the target to a read: from now until that read ends the target is held as being read, and no
     * later poll reads it. False when it is being read already.
     */
    public boolean handOut(TargetPoll poll) {
        return running.putIfAbsent(key(poll.getOperation(), poll.getTarget()), new Read(poll)) == null;
    }

    /**
     * The first step of a target's read: whatever becomes of the exchange, once it is done the target is no longer
     * being read, and a failure counts towards its pause.
     */
    public void begin(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll, Exchange exchange) {
        Read started = running.computeIfAbsent(key(poll.getOperation(), poll.getTarget()), key -> new Read(poll));
        // another read of the target under way (not one that this poll handed out): this one is not tracked
        Read read = started.poll == poll ? started : new Read(poll);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                ended(read, done.getProperty(Exchange.EXCEPTION_CAUGHT, done.getException(), Throwable.class));
            }
        });
    }

    /**
     * The last step of a read that ended well, every new message in Kafka: counts what became of its messages (the
     * batch) in the metrics, and returns the summary line that response-fetch logs.
     */
    public String finish(@Body PublishBatch batch, @ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        Read read = running.get(key(poll.getOperation(), poll.getTarget()));
        if (read != null && read.poll == poll) {
            read.finished = true;
        }
        Duration elapsed = poll.age();
        metrics.fetched(poll.getOperation(), batch.received());
        metrics.duplicates(poll.getOperation(), batch.duplicates());
        metrics.targetPolled(poll.getOperation(), elapsed);
        return poll + ": " + batch.summary(elapsed);
    }

    private void ended(Read read, Throwable failure) {
        TargetPoll poll = read.poll;
        String key = key(poll.getOperation(), poll.getTarget());
        running.remove(key, read);
        if (read.finished) {
            backingOff.remove(key);
            succeeded();
        } else if (chakraFailure(failure)) {
            Failures failures = backingOff.merge(key, new Failures(1, 0),
                    (before, one) -> new Failures(before.count() + 1, 0));
            // read again at the next poll after one failure, then after 1, 3, 7... poll intervals, up to the maximum
            long intervalMillis = schedule.interval().toMillis();
            long pauseMillis = Math.min(backoffMax.toMillis(),
                    intervalMillis * ((1L << Math.min(failures.count() - 1, 20)) - 1));
            // the read ended a little after its poll began, so the poll a whole pause later begins a little before the
            // pause is over: half an interval of slack lets that poll read it, not the one after
            long slackMillis = Math.min(intervalMillis, pauseMillis) / 2;
            backingOff.put(key, new Failures(failures.count(),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pauseMillis - slackMillis)));
            if (pauseMillis > 0) {
                LOG.warn("{}: failed {} polls in a row; not read again for {} s (up to CHAKRA_TARGET_BACKOFF_MAX_MILLIS)",
                        poll, failures.count(), pauseMillis / 1000);
            }
        }
    }

    /** A target read or a List chats pass ended well: the pipeline reaches ChakraHQ and Kafka. */
    public void succeeded() {
        lastSuccessMillis = System.currentTimeMillis();
    }

    /** ChakraHQ's failure, not Kafka's: a Kafka outage is no reason to read a target less often. */
    private static boolean chakraFailure(Throwable failure) {
        return failure instanceof HttpOperationFailedException || failure instanceof IOException
                || failure instanceof MalformedResponseException;
    }

    private static String key(String operation, String target) {
        return operation + " " + target;
    }

    /** Target reads under way, in the background of the polls. */
    public int running() {
        return running.size();
    }

    /** Targets paused after failures. */
    public int backingOff() {
        long now = System.nanoTime();
        return (int) backingOff.values().stream().filter(failures -> failures.notBefore() > now).count();
    }

    /** For the full health report: whether the polls keep up. */
    public Map<String, Object> progress() {
        Map<String, Object> progress = new java.util.LinkedHashMap<>();
        progress.put("discovery", settings.discovery() ? "on" : "off");
        if (settings.discovery()) {
            progress.put("chats.known", activity.knownCount());
            progress.put("chats.changed.unread", activity.changed().size());
            progress.put("sweep.progress", Math.round(sweep.progress() * 100) + " %");
        }
        progress.put("targets.running", running());
        progress.put("targets.backing.off", backingOff());
        progress.put("budget.requests.per.second", budget.requestsPerSecond());
        progress.put("budget.waiting", budget.waiting());
        long last = lastSuccessMillis;
        progress.put("last.successful.read", last == 0 ? "none yet" : java.time.Instant.ofEpochMilli(last).toString());
        return progress;
    }

    public double sweepProgress() {
        return sweep.progress();
    }

    public long sweepsCompleted() {
        return sweep.completed();
    }

    /** When a target read or a List chats pass last ended well (epoch ms; 0 before any). */
    public long lastSuccessMillis() {
        return lastSuccessMillis;
    }
}
