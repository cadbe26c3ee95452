package io.github.chakrakafkapipeline.publish;

import java.util.concurrent.CompletableFuture;

import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;

/**
 * At-least-once publishing with camel-kafka's producer: one send for the whole batch, each record with its own topic
 * (header kafka.OVERRIDE_TOPIC), key and headers; the dead-letter topic in the endpoint is only the fallback.
 * recordMetadata tells each record whether Kafka acknowledged it. A crash between the send and the dedup record
 * publishes that message again at the next start.
 */
public class AtLeastOncePublisher extends ServiceSupport implements Publisher {

    private final CamelContext context;
    private final String endpointUri;
    private AsyncProducer producer;

    public AtLeastOncePublisher(CamelContext context, String deadLetterTopic) {
        this.context = context;
        this.endpointUri = "kafka:" + deadLetterTopic + "?batchWithIndividualHeaders=true&recordMetadata=true";
    }

    @Override
    public CompletableFuture<Void> publish(Exchange exchange) {
        PublishBatch batch = exchange.getMessage().getBody(PublishBatch.class);
        // the records watch this exchange, so that handing them out stops at its first failed send
        exchange.getMessage().setBody(batch.records(exchange));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.process(exchange, doneSync -> {
            exchange.getMessage().setBody(batch); // each record knows now whether Kafka acknowledged it: settle reads them
            Exception failure = exchange.getException();
            if (failure == null) {
                sent.complete(null);
            } else {
                exchange.setException(null); // Camel's bean step sets it again from the future
                sent.completeExceptionally(failure);
            }
        });
        return sent;
    }

    @Override
    protected void doStart() throws Exception {
        producer = context.getEndpoint(endpointUri).createAsyncProducer();
        ServiceHelper.startService(producer);
    }

    @Override
    protected void doStop() {
        ServiceHelper.stopService(producer);
    }
}
