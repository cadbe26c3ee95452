package io.github.chakrakafkapipeline;

import java.time.Duration;

import io.github.chakrakafkapipeline.chakra.ResponsePaging;
import io.github.chakrakafkapipeline.ops.PipelineMetrics;
import org.apache.camel.ExchangeProperty;

/** Starts the poll of one target, and once it is done, counts what became of its messages in the metrics. */
public class TargetPolls {

    private final PipelineMetrics metrics;

    public TargetPolls(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    /** {@code pagingStyle} is none, page or skip (checked at start-up). */
    public TargetPoll start(String operation, String target, String pagingStyle) {
        return new TargetPoll(operation, target, ResponsePaging.parseStyle(pagingStyle));
    }

    public void finish(@ExchangeProperty(TargetPoll.PROPERTY) TargetPoll poll) {
        Duration elapsed = poll.finish();
        metrics.fetched(poll.getOperation(), poll.getReceived());
        metrics.duplicates(poll.getOperation(), poll.getDuplicates());
        metrics.targetPolled(poll.getOperation(), elapsed);
    }
}
