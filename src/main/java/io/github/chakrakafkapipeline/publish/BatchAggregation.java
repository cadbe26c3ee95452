package io.github.chakrakafkapipeline.publish;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * response-publish's split: gathers the messages message-route claimed into the response's {@link PublishBatch} (the
 * body the split started from, and is again once it is done), in order, and counts the duplicates the dedup step
 * found. A message that was a duplicate or that message-route stopped brings no claim. A
 * failure in any message becomes the response's failure once the split is done, with the batch of what was claimed
 * as the body, so that publish-errors releases those claims: nothing of the response is sent.
 */
public class BatchAggregation implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange batch, Exchange message) {
        throw new UnsupportedOperationException("Camel calls the form with the split's input exchange");
    }

    @Override
    public Exchange aggregate(Exchange batch, Exchange message, Exchange response) {
        Exchange result = batch == null ? response.copy() : batch;
        PublishBatch gathered = result.getMessage().getBody(PublishBatch.class);
        PublishBatch.Entry claim = message.getProperty(PublishBatch.CLAIM, PublishBatch.Entry.class);
        if (claim != null) {
            gathered.add(claim);
        } else if (message.getProperty(PublishBatch.DUPLICATE) != null) {
            gathered.duplicate();
        }
        if (message.getException() != null && result.getException() == null) {
            result.setException(message.getException());
        }
        return result;
    }
}
