package io.github.chakrakafkapipeline.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A wall-clock profile: every few milliseconds, the stacks of the threads of interest whatever their state, so that
 * time spent waiting (for an answer, for Kafka's acknowledgement, for a lock) shows as well as time on the CPU.
 * A CPU profiler (JFR's execution samples) sees only the latter.
 */
final class WallClockSampler implements AutoCloseable {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int TOP = 25;

    private final Function<String, String> groups;
    private final long intervalMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, Long> byTopFrame = new HashMap<>();
    private final Map<String, Long> byAppFrame = new HashMap<>();
    private final Map<String, Long> byState = new HashMap<>();
    private final Thread sampler;
    private long samples;

    /** {@code groups} names the group a thread belongs to, or null for a thread not to sample. */
    WallClockSampler(Function<String, String> groups, long intervalMillis) {
        this.groups = groups;
        this.intervalMillis = intervalMillis;
        this.sampler = new Thread(this::sample, "wall-clock-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        while (running.get()) {
            for (ThreadInfo info : THREADS.dumpAllThreads(false, false, 48)) {
                String group = info == null ? null : groups.apply(info.getThreadName());
                if (group == null) {
                    continue;
                }
                StackTraceElement[] stack = info.getStackTrace();
                if (stack.length == 0) {
                    continue;
                }
                synchronized (this) {
                    samples++;
                    String state = group + " " + info.getThreadState();
                    byState.merge(state, 1L, Long::sum);
                    byTopFrame.merge(state + "  " + frame(stack[0]) + " <- " + frame(caller(stack)), 1L, Long::sum);
                    byAppFrame.merge(state + "  " + appFrames(stack), 1L, Long::sum);
                }
            }
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The first frame below the JDK's own waiting/parking/socket machinery. */
    private static StackTraceElement caller(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
                return frame;
            }
        }
        return stack[stack.length - 1];
    }

    /** The three innermost frames of the pipeline, Camel, Kafka, Jackson or HTTP client code. */
    private static String appFrames(StackTraceElement[] stack) {
        StringBuilder frames = new StringBuilder();
        int found = 0;
        for (StackTraceElement frame : stack) {
            String type = frame.getClassName();
            if (type.startsWith("java.") || type.startsWith("jdk.") || type.startsWith("sun.")) {
                continue;
            }
            if (found > 0) {
                frames.append(" <- ");
            }
            frames.append(frame(frame));
            if (++found == 3) {
                break;
            }
        }
        return frames.toString();
    }

    private static String frame(StackTraceElement frame) {
        String type = frame.getClassName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + frame.getMethodName();
    }

    synchronized String summary(String title) {
        StringBuilder out = new StringBuilder("Wall-clock samples of " + title + ": " + samples
                + " thread samples every " + intervalMillis + " ms\n");
        append(out, "by thread group and state", byState);
        append(out, "by state, top frame <- first non-JDK frame", byTopFrame);
        append(out, "by state, innermost three non-JDK frames", byAppFrame);
        return out.toString();
    }

    private void append(StringBuilder out, String title, Map<String, Long> counts) {
        out.append("\n-- ").append(title).append('\n');
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(TOP)
                .forEach(e -> out.append(String.format("%6.1f%%  %s%n", 100.0 * e.getValue() / samples, e.getKey())));
    }

    @Override
    public void close() {
        running.set(false);
        sampler.interrupt();
        try {
            sampler.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
