package io.github.chakrakafkapipeline.chakra;

import java.time.Clock;
import java.util.concurrent.ExecutorService;

import io.github.chakrakafkapipeline.dedup.DedupConfiguration;
import io.github.chakrakafkapipeline.dedup.DedupState;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;

/** The calls to ChakraHQ: their threads, the request budget, paging, parsing and retries. */
public class ChakraConfiguration implements CamelConfiguration {

    public static final String REQUEST_BUDGET = "requestBudget";
    public static final String RESPONSE_PARSER = "responseParser";
    public static final String RESPONSE_PAGING = "responsePaging";
    public static final String CHAKRA_RETRY_POLICY = "chakraRetryPolicy";
    public static final String CHAKRA_RETRY_NOTIFIER = "chakraRetryNotifier";
    public static final String CHAKRA_CALL_NOTIFIER = "chakraCallNotifier";
    public static final String CHAKRA_CALLS = "chakraCalls";

    @BindToRegistry(REQUEST_BUDGET)
    public RequestBudget requestBudget(@PropertyInject("chakra.http.requests.per.second") int requestsPerSecond,
            @BeanInject(MetricsConfiguration.PIPELINE_METRICS) PipelineMetrics metrics) {
        return new RequestBudget(requestsPerSecond, metrics);
    }

    @BindToRegistry(RESPONSE_PARSER)
    public ResponseParser responseParser() {
        return new ResponseParser();
    }

    @BindToRegistry(RESPONSE_PAGING)
    public ResponsePaging responsePaging(
            @PropertyInject("chakra.paging.page.size") int pageSize,
            @PropertyInject("chakra.paging.max.pages") int maxPages,
            @BeanInject(DedupConfiguration.DEDUP_STATE) DedupState dedupState) {
        return new ResponsePaging(pageSize, maxPages,
                message -> dedupState.known(message.externalId(), message.chat(), message.timestamp()));
    }

    @BindToRegistry(CHAKRA_RETRY_POLICY)
    public RetryPolicy chakraRetryPolicy(@PropertyInject("chakra.http.retry.max.delay.millis") long maxDelayMillis,
            @PropertyInject("chakra.http.retry.initial.delay.millis") long initialDelayMillis,
            @BeanInject(REQUEST_BUDGET) RequestBudget budget) {
        return new RetryPolicy(maxDelayMillis, initialDelayMillis, budget, Clock.systemUTC());
    }

    @BindToRegistry(CHAKRA_RETRY_NOTIFIER)
    public RetryNotifier chakraRetryNotifier(@BeanInject(CHAKRA_RETRY_POLICY) RetryPolicy policy,
            @BeanInject(MetricsConfiguration.PIPELINE_METRICS) PipelineMetrics metrics,
            @BeanInject(REQUEST_BUDGET) RequestBudget budget) {
        return new RetryNotifier(policy, metrics, budget);
    }

    @BindToRegistry(CHAKRA_CALL_NOTIFIER)
    public CallNotifier chakraCallNotifier(@PropertyInject("chakra.api.base.url") String baseUrl,
            @BeanInject(MetricsConfiguration.PIPELINE_METRICS) PipelineMetrics metrics) {
        return new CallNotifier(baseUrl, metrics);
    }

    /**
     * The threads that read targets: one target each, so a slow or failing target holds up no other. No queue (Camel
     * hands each task straight to a thread when the queue size is not positive): while every thread is busy, the poll's
     * own thread reads the next target (Camel's CallerRuns), so a poll hands out its targets no faster than they are
     * read. The request budget paces the calls.
     */
    @BindToRegistry(CHAKRA_CALLS)
    public ExecutorService chakraCalls(CamelContext context, @PropertyInject("chakra.http.concurrency") int threads) {
        return context.getExecutorServiceManager().newThreadPool(this, "chakra-calls",
                new ThreadPoolProfileBuilder("chakra-calls").poolSize(threads).maxPoolSize(threads).maxQueueSize(-1)
                        .build());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        context.getManagementStrategy().addEventNotifier(callNotifier(context));
        RequestBudget budget = requestBudget(context);
        MetricsConfiguration.metrics(context).onStart(metrics -> {
            metrics.gauge("chakra.pipeline.api.budget.requests.per.second", "The request budget: calls per second to "
                    + "ChakraHQ (CHAKRA_HTTP_REQUESTS_PER_SECOND)", budget::requestsPerSecond);
            metrics.gauge("chakra.pipeline.api.budget.waiting", "Calls waiting for a permit of the request budget",
                    budget::waiting);
        });
    }

    public static RequestBudget requestBudget(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(REQUEST_BUDGET, RequestBudget.class);
    }

    public static CallNotifier callNotifier(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(CHAKRA_CALL_NOTIFIER, CallNotifier.class);
    }
}
