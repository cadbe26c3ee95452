package io.github.chakrakafkapipeline.chats;

import java.time.Duration;

import io.github.chakrakafkapipeline.kafka.KafkaClientConfig;
import io.github.chakrakafkapipeline.kafka.TopicsConfiguration;
import io.github.chakrakafkapipeline.metrics.MetricsConfiguration;
import io.github.chakrakafkapipeline.metrics.PipelineMetrics;
import io.github.chakrakafkapipeline.settings.PagingStyle;
import io.github.chakrakafkapipeline.settings.PipelineSettings;
import io.github.chakrakafkapipeline.settings.SettingsConfiguration;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

/** Discovery (CHAKRA_CHAT_DISCOVERY): List chats, and each chat's activity in its compacted topic. */
public class ChatsConfiguration implements CamelConfiguration {

    public static final String CHAT_ACTIVITY = "chatActivity";
    public static final String CHAT_LISTING = "chatListing";

    @BindToRegistry(CHAT_ACTIVITY)
    public ChatActivity chatActivity(CamelContext context,
            @PropertyInject("pipeline.chat.activity.topic") String topic,
            @PropertyInject("pipeline.dedup.load.timeout.millis") long loadTimeoutMillis,
            @BeanInject(SettingsConfiguration.PIPELINE_SETTINGS) PipelineSettings settings) {
        return new ChatActivity(topic, () -> KafkaClientConfig.of(context), Duration.ofMillis(loadTimeoutMillis),
                settings.exactlyOnce());
    }

    @BindToRegistry(CHAT_LISTING)
    public ChatListing chatListing(@BeanInject(CHAT_ACTIVITY) ChatActivity activity,
            @BeanInject(MetricsConfiguration.PIPELINE_METRICS) PipelineMetrics metrics,
            @PropertyInject("chakra.chat.list.request.body") String request,
            @PropertyInject("chakra.chat.list.paging") String paging,
            @PropertyInject("chakra.chat.list.page.size") int pageSize,
            @PropertyInject("chakra.chat.list.max.pages") int maxPages,
            @PropertyInject("chakra.chat.list.id.field") String idField,
            @PropertyInject("chakra.chat.list.activity.field") String activityField) {
        return new ChatListing(activity, metrics, request, PagingStyle.parse(paging), pageSize, maxPages,
                idField.trim(), activityField.trim());
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        ChatActivity activity = chatActivity(context);
        if (SettingsConfiguration.settings(context).discovery()) {
            // loads as Camel starts, once its topic is usable, before the dedup state
            context.addService(activity);
            TopicsConfiguration.kafkaReady(context).thenLoad(activity::load);
        }
        MetricsConfiguration.metrics(context).onStart(metrics -> metrics.gauge("chakra.pipeline.chats.known",
                "Chats of the team known to discovery", activity::knownCount));
    }

    public static ChatActivity chatActivity(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(CHAT_ACTIVITY, ChatActivity.class);
    }

    public static ChatListing chatListing(CamelContext context) {
        return context.getRegistry().lookupByNameAndType(CHAT_LISTING, ChatListing.class);
    }
}
