package io.github.chakrakafkapipeline.benchmark;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * How the records of a run went to Kafka, from the metrics every KafkaProducer in this JVM publishes over JMX:
 * records sent, produce requests, records per request and batch size. Read at the end of a backfill, while the
 * contender's producers are still open (and the earlier contenders' are closed).
 */
final class ProducerMetrics {

    record Row(String clientId, String topics, double recordsSent, double recordsPerRequest, double batchBytes,
            double requestLatencyMillis) {
    }

    private ProducerMetrics() {
    }

    static List<Row> snapshot() {
        List<Row> rows = new ArrayList<>();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName name : server.queryNames(new ObjectName("kafka.producer:type=producer-metrics,*"), null)) {
                String client = name.getKeyProperty("client-id");
                List<String> topics = new ArrayList<>();
                for (ObjectName topic : server.queryNames(new ObjectName(
                        "kafka.producer:type=producer-topic-metrics,client-id=" + client + ",*"), null)) {
                    if (number(server, topic, "record-send-total") > 0) {
                        topics.add(topic.getKeyProperty("topic").replaceFirst("^bench\\.\\d+\\.\\w+\\.", ""));
                    }
                }
                topics.sort(null);
                rows.add(new Row(client, String.join(", ", topics), number(server, name, "record-send-total"),
                        number(server, name, "records-per-request-avg"), number(server, name, "batch-size-avg"),
                        number(server, name, "request-latency-avg")));
            }
        } catch (Exception e) {
            // metrics are extra information: a JVM without them just reports none
        }
        rows.sort((x, y) -> Double.compare(y.recordsSent(), x.recordsSent()));
        return rows;
    }

    private static double number(MBeanServer server, ObjectName name, String attribute) {
        try {
            Object value = server.getAttribute(name, attribute);
            return value instanceof Number n ? n.doubleValue() : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }
}
