package io.github.chakrakafkapipeline.publish;

import java.util.concurrent.CompletableFuture;

import org.apache.camel.Exchange;

/**
 * Sends the batch of a response (what message-route claimed) to Kafka in one go: exactly once ({@link Transactions})
 * or at least once ({@link AtLeastOncePublisher}), chosen by pipeline.delivery when the pipeline starts.
 */
public interface Publisher {

    /**
     * Publishes the exchange's body, the response's {@link PublishBatch}. The future completes once Kafka took it, each record then
     * knowing its offset (header {@code kafka.RECORD_META}), and fails when it did not take all of it; either way
     * Publishing.settle then records what Kafka acknowledged and releases the claims of the rest. Camel's bean step
     * goes on with the exchange when the future completes, without holding a thread meanwhile.
     */
    CompletableFuture<Void> publish(Exchange exchange);
}
