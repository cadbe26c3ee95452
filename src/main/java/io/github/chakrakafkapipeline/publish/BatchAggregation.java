package io.github.chakrakafkapipeline.publish;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * response-publish's split: gathers the messages message-route claimed into the response's {@link PublishBatch}, in
 * order, which becomes the body. A message that was a duplicate or that message-route stopped brings no claim. A
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
        Exchange result = batch;
        if (result == null) {
            result = response.copy();
            result.getMessage().setBody(new PublishBatch());
        }
        PublishBatch.Entry claim = message.getProperty(PublishBatch.CLAIM, PublishBatch.Entry.class);
        if (claim != null) {
            result.getMessage().getBody(PublishBatch.class).add(claim);
        }
        if (message.getException() != null && result.getException() == null) {
            result.setException(message.getException());
        }
        return result;
    }
}
