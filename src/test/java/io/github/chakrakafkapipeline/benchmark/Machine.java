package io.github.chakrakafkapipeline.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The machine the figures come from: cores, memory, CPU, JDK, and how busy it was. */
record Machine(int cores, String memory, String cpu, String javaVersion, String os, String loadAtStart) {

    static Machine describe() {
        return new Machine(Runtime.getRuntime().availableProcessors(), readMemory(), readCpu(), readJavaVersion(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                loadAverage());
    }

    /** The 1, 5 and 15 minute load averages, from /proc/loadavg. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String readMemory() {
        String line = procLine("/proc/meminfo", "MemTotal:");
        return line == null ? "unknown"
                : String.format("%.1f GiB", Long.parseLong(line.replaceAll("\\D", "")) / 1024.0 / 1024.0);
    }

    private static String readCpu() {
        String line = procLine("/proc/cpuinfo", "model name");
        return line == null ? "unknown" : line.substring(line.indexOf(':') + 1).trim();
    }

    /** The first line of a /proc file that starts with {@code prefix}, or null. */
    private static String procLine(String file, String prefix) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst().orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What {@code java -version} of this JVM prints. */
    private static String readJavaVersion() {
        try {
            Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-version").redirectErrorStream(true).start();
            String text = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            java.waitFor(10, TimeUnit.SECONDS);
            return text;
        } catch (IOException | InterruptedException e) {
            return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        }
    }

    List<String> javaVersionLines() {
        return javaVersion.lines().toList();
    }
}
