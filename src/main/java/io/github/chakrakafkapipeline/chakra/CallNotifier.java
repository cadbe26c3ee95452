package io.github.chakrakafkapipeline.chakra;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSendingEvent;
import org.apache.camel.spi.CamelEvent.ExchangeSentEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Sees every call to ChakraHQ, retries included (Camel reports each send to the API endpoint): counts it by status
 * class, and remembers the last status per operation (chat-messages, phone-messages), so that readiness can tell a rejected token.
 */
public class CallNotifier extends EventNotifierSupport {

    private final String apiBaseUrl;
    private final PipelineMetrics metrics;
    private final Map<String, Integer> lastStatus = new ConcurrentHashMap<>();

    public CallNotifier(String apiBaseUrl, PipelineMetrics metrics) {
        this.apiBaseUrl = apiBaseUrl;
        this.metrics = metrics;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
    }

    /** The sending event too: Camel reports a send as sent only when someone took its sending event. */
    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof ExchangeSendingEvent sending && sending.getEndpoint().getEndpointUri().startsWith(apiBaseUrl)
                || event instanceof ExchangeSentEvent sent && sent.getEndpoint().getEndpointUri().startsWith(apiBaseUrl);
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof ExchangeSentEvent sent)) {
            return;
        }
        Exchange exchange = sent.getExchange();
        String operation = operation(exchange);
        int status = exchange.getException() instanceof HttpOperationFailedException failed
                ? failed.getStatusCode()
                : exchange.getException() != null ? 0 : exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        metrics.apiCall(operation, status);
        if (status == 401 || status == 403) {
            metrics.tokenRejected();
        }
        lastStatus.put(operation, status);
    }

    private static String operation(Exchange exchange) {
        TargetPoll poll = exchange.getProperty(TargetPoll.PROPERTY, TargetPoll.class);
        return poll == null ? "unknown" : poll.getOperation();
    }

    /** Operations whose last call was refused for authentication (401, 403). */
    public Map<String, Integer> rejectedOperations() {
        Map<String, Integer> rejected = new ConcurrentHashMap<>(lastStatus);
        rejected.values().removeIf(status -> status != 401 && status != 403);
        return rejected;
    }
}
