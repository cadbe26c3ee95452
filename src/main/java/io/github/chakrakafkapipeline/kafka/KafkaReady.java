package io.github.chakrakafkapipeline.kafka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the pipeline to where it can publish: its topics usable ({@link PipelineTopics}), then its state read from
 * them. When that cannot be done at start-up (a topic missing, refused, or the wrong kind) the service runs on, not
 * ready, checking again every few seconds, and publishes once ops mended it, without a restart. The poll asks it
 * first ({@link #beforePoll}): no poll starts a read before the state is loaded.
 */
public class KafkaReady extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaReady.class);
    private static final Duration RECHECK = Duration.ofSeconds(5);

    private static final String STATE = "the pipeline's state";

    private final PipelineTopics topics;
    private final KafkaProblems problems;
    /** Each loads a state from its topic (the chat activity, then the dedup state, which opens the polls). */
    private final List<Runnable> loads = new CopyOnWriteArrayList<>();
    private volatile boolean loaded;
    private volatile Runnable retryPublisher = () -> { };
    private Thread waiting;

    public KafkaReady(PipelineTopics topics, KafkaProblems problems) {
        this.topics = topics;
        this.problems = problems;
    }

    /** A state to load from its topic once the topics are usable, after those given before; before the service starts. */
    public void thenLoad(Runnable load) {
        loads.add(load);
    }

    /** As Camel starts, before any route: loads the state now when the topics are usable, else in the background. */
    @Override
    protected void doStart() {
        if (topics.check()) {
            loads.forEach(Runnable::run); // a state that cannot be read stops start-up, as it always did
            loaded = true;
            return;
        }
        waiting = new Thread(this::await, "kafka-topics-check");
        waiting.setDaemon(true);
        waiting.start();
    }

    @Override
    protected void doStop() throws InterruptedException {
        Thread thread = waiting;
        waiting = null;
        if (thread != null) {
            thread.interrupt();
            thread.join(RECHECK.toMillis());
        }
    }

    private void await() {
        while (waiting != null && !loaded) {
            try {
                Thread.sleep(RECHECK.toMillis());
                if (topics.check()) {
                    loads.forEach(Runnable::run);
                    loaded = true;
                    problems.resolve(STATE);
                    LOG.info("The pipeline's topics are usable and its state is loaded: polls publish from now on");
                }
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                problems.report(STATE, "Could not read the pipeline's state from its topics (" + Failures.describe(e)
                        + "); nothing is published until it is read; tried again every " + RECHECK.toSeconds() + " s");
            }
        }
    }

    /**
     * Before each poll: the topics reported missing at run time are looked at again, and a publisher that is not open
     * (exactly once: refused by Kafka, or failed) is opened again ({@link #retryPublisherWith}). True once the state is
     * loaded, and while nothing stops all publishing (an ACL or a setting Kafka refused): the poll then reads nothing
     * until ops mended it.
     */
    public boolean beforePoll() {
        topics.recheck();
        retryPublisher.run();
        return loaded && !problems.blocksPublishing();
    }

    /** What opens the publisher again before a poll: the transactional producer, exactly once. */
    public void retryPublisherWith(Runnable retry) {
        this.retryPublisher = retry;
    }

    public boolean isLoaded() {
        return loaded;
    }
}
