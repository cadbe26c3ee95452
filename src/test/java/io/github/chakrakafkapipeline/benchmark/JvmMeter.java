package io.github.chakrakafkapipeline.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * What this JVM has spent: process CPU time (every thread, GC and JIT included), bytes allocated by the live threads,
 * and the heap that survives a full collection. The benchmark's JVM holds only the contender being measured (the
 * broker and the simulator run in another), so these are the contender's own figures.
 */
final class JvmMeter {

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** A reading of CPU time, allocated bytes and wall clock, to subtract from a later one. */
    record Reading(long wallNanos, long cpuNanos, long allocatedBytes) {
        Reading minus(Reading earlier) {
            return new Reading(wallNanos - earlier.wallNanos, cpuNanos - earlier.cpuNanos,
                    allocatedBytes - earlier.allocatedBytes);
        }
    }

    private JvmMeter() {
    }

    static Reading read() {
        return new Reading(System.nanoTime(), OS.getProcessCpuTime(), allocatedBytes());
    }

    static long processCpuNanos() {
        return OS.getProcessCpuTime();
    }

    /**
     * Bytes allocated so far by the threads alive now. A thread that ends between two readings takes its count
     * with it; the pipeline's and the baselines' worker threads live for the whole measurement.
     */
    static long allocatedBytes() {
        long[] ids = THREADS.getAllThreadIds();
        long total = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }

    /** The heap in use after full collections, until it stops shrinking. */
    static long retainedHeapBytes() throws InterruptedException {
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 8; i++) {
            System.gc();
            Thread.sleep(100);
            used = MEMORY.getHeapMemoryUsage().getUsed();
            if (i >= 2 && Math.abs(previous - used) < 64 * 1024) {
                break;
            }
            previous = used;
        }
        return used;
    }
}
