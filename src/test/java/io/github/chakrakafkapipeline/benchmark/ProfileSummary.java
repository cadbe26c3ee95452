package io.github.chakrakafkapipeline.benchmark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises a JFR recording: where the CPU samples are (self, and inclusive per method), per thread, and which code
 * allocates. Run on any recording:
 * {@code java -cp <test classpath> io.github.chakrakafkapipeline.benchmark.ProfileSummary rec.jfr [threadRegex]}.
 */
public final class ProfileSummary {

    private static final int TOP = 30;

    /**
     * What a sample was doing, named after the innermost frame on its stack that belongs to one of these (first
     * match from the top of the stack), so that JDK collections used by, say, the dedup look-up count for it.
     */
    private static final String[][] ACTIVITIES = {
        {"metrics (Micrometer event notifier, route policy)", "io.micrometer.", "org.apache.camel.component.micrometer."},
        {"logging (log4j)", "org.apache.logging.", "org.apache.camel.processor.LogProcessor", "org.apache.camel.spi.CamelLogger"},
        {"response parse (ResponseParser, Jackson)", "io.github.chakrakafkapipeline.chakra.ResponseParser"},
        {"paging bookkeeping (ResponsePaging)", "io.github.chakrakafkapipeline.chakra.ResponsePaging"},
        {"oldest-first sort (PagedFetch)", "io.github.chakrakafkapipeline.chakra.PagedFetch", "io.github.chakrakafkapipeline.chakra.ReceivedMessage"},
        {"dedup (DedupState)", "io.github.chakrakafkapipeline.dedup."},
        {"dedup step, batch, settle (Publishing)", "io.github.chakrakafkapipeline.publish."},
        {"other pipeline beans", "io.github.chakrakafkapipeline."},
        {"Jackson (other)", "com.fasterxml.jackson."},
        {"response body to String (stream cache, IOHelper)", "org.apache.camel.converter.stream.",
            "org.apache.camel.impl.engine.StreamCachingHelper", "org.apache.camel.util.IOHelper",
            "org.apache.camel.converter.IOConverter"},
        {"HTTP client (Apache HttpClient 5)", "org.apache.hc."},
        {"camel-http producer", "org.apache.camel.component.http.", "org.apache.camel.http."},
        {"Kafka client", "org.apache.kafka."},
        {"camel-kafka producer", "org.apache.camel.component.kafka."},
        {"exchange copies (split, multicast)", "org.apache.camel.support.AbstractExchange",
            "org.apache.camel.support.DefaultExchange", "org.apache.camel.support.MessageSupport",
            "org.apache.camel.support.DefaultMessage", "org.apache.camel.support.ExchangeHelper"},
        {"event notification (EventHelper)", "org.apache.camel.support.EventHelper"},
        {"expressions (simple language, bean binding)", "org.apache.camel.language.", "org.apache.camel.support.builder.",
            "org.apache.camel.component.bean.", "org.apache.camel.support.ExpressionSupport"},
        {"type conversion", "org.apache.camel.impl.converter.", "org.apache.camel.spi.TypeConvertible",
            "org.apache.camel.support.ObjectHelper"},
        {"idempotent consumer", "org.apache.camel.processor.idempotent."},
        {"Camel routing engine (other)", "org.apache.camel."},
    };

    private ProfileSummary() {
    }

    public static void main(String[] args) throws IOException {
        System.out.println(summarise(Path.of(args[0]), args.length > 1 ? args[1] : ".*"));
    }

    static String summarise(Path recording, String threadRegex) throws IOException {
        Predicate<String> threads = Pattern.compile(threadRegex).asMatchPredicate();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> perThread = new HashMap<>();
        Map<String, Long> allocationSites = new HashMap<>();
        Map<String, Long> allocatedClasses = new HashMap<>();
        Map<String, Long> activities = new HashMap<>();
        Map<String, Long> allocationActivities = new HashMap<>();
        long samples = 0;
        long allocated = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            String type = event.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.ObjectAllocationSample")) {
                continue;
            }
            RecordedThread thread = type.equals("jdk.ExecutionSample") ? event.getThread("sampledThread")
                    : event.getThread();
            String threadName = thread == null ? "?" : String.valueOf(thread.getJavaName());
            if (!threads.test(threadName)) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            List<RecordedFrame> frames = stack.getFrames();
            if (type.equals("jdk.ExecutionSample")) {
                samples++;
                activities.merge(activity(frames), 1L, Long::sum);
                self.merge(name(frames.get(0)), 1L, Long::sum);
                perThread.merge(threadName.replaceAll("\\d+", "N").replaceAll("\\[.*\\]", "[topic]"), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                for (RecordedFrame frame : frames) {
                    String method = name(frame);
                    if (seen.add(method)) {
                        inclusive.merge(method, 1L, Long::sum);
                    }
                }
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                long weight = event.getLong("weight");
                allocated += weight;
                allocatedClasses.merge(event.getClass("objectClass").getName(), weight, Long::sum);
                allocationSites.merge(site(frames), weight, Long::sum);
                allocationActivities.merge(activity(frames), weight, Long::sum);
            }
        }
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.printf("JFR %s, threads matching /%s/: %d CPU samples%n", recording.getFileName(), threadRegex, samples);
        top(out, "CPU samples by thread", perThread, samples);
        top(out, "CPU samples by activity (innermost recognised frame)", activities, samples);
        top(out, "Allocation (sampled weight) by activity", allocationActivities, allocated);
        top(out, "CPU samples, self (top frame)", self, samples);
        top(out, "CPU samples, inclusive (method anywhere on the stack)", inclusive, samples);
        top(out, "Allocation (sampled weight) by class", allocatedClasses, allocated);
        top(out, "Allocation (sampled weight) by first frame outside java.*/jdk.*/sun.*", allocationSites, allocated);
        out.flush();
        return text.toString();
    }

    private static void top(PrintWriter out, String title, Map<String, Long> counts, long total) {
        out.printf("%n-- %s%n", title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP)
                .forEach(e -> out.printf("%6.1f%%  %s%n", total == 0 ? 0 : 100.0 * e.getValue() / total, e.getKey()));
    }

    /** Jackson counts for whoever called it (the parser, the classifier) when that caller is recognised. */
    private static String activity(List<RecordedFrame> frames) {
        String jackson = null;
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            for (String[] activity : ACTIVITIES) {
                for (int i = 1; i < activity.length; i++) {
                    if (type.startsWith(activity[i])) {
                        if (!activity[0].startsWith("Jackson")) {
                            return activity[0];
                        }
                        jackson = activity[0];
                    }
                }
            }
        }
        return jackson != null ? jackson : "JDK and other (no recognised frame)";
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static String site(List<RecordedFrame> frames) {
        for (RecordedFrame frame : frames) {
            String type = frame.getMethod().getType().getName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                return name(frame);
            }
        }
        return name(frames.get(0));
    }

    static void write(Path recording, String threadRegex, Path summary) throws IOException {
        Files.writeString(summary, summarise(recording, threadRegex));
    }
}
