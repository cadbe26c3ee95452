package io.github.chakrakafkapipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The shape a newcomer can follow: packages by concern with no cycle between them, a root package that holds only the
 * main class and reaches into the others through it, and no class too long to read in one go. Read from the sources'
 * imports: a class of another package is only ever used through an import here.
 */
class PackagesTest {

    private static final Path SOURCES = Path.of("src/main/java/io/github/chakrakafkapipeline");
    private static final String ROOT = "io.github.chakrakafkapipeline";
    private static final Pattern IMPORT = Pattern.compile("^import (io\\.github\\.chakrakafkapipeline(?:\\.\\w+)?)\\.[A-Z]",
            Pattern.MULTILINE);
    private static final int MAX_LINES = 300;

    @Test
    void no_package_depends_on_itself_through_others() throws IOException {
        Map<String, Set<String>> uses = uses();
        List<String> cycles = new ArrayList<>();
        for (String start : uses.keySet()) {
            if (!start.equals(ROOT) && reaches(uses, start, start, new TreeSet<>())) {
                cycles.add(start);
            }
        }
        assertEquals(List.of(), cycles, "packages in a cycle; uses: " + uses);
    }

    @Test
    void the_root_package_holds_at_most_four_classes_and_only_the_main_class_reaches_into_the_others()
            throws IOException {
        List<Path> root;
        try (Stream<Path> files = Files.list(SOURCES)) {
            root = files.filter(file -> file.toString().endsWith(".java")).toList();
        }
        assertTrue(root.size() <= 4, "root package classes: " + root);
        for (Path file : root) {
            if (!file.getFileName().toString().equals("PipelineApplication.java")) {
                assertEquals(Set.of(), imported(Files.readString(file)), file + " reaches into a sub-package");
            }
        }
    }

    @Test
    void no_class_is_longer_than_300_lines() throws IOException {
        Map<String, Integer> tooLong = new TreeMap<>();
        for (Path file : sources()) {
            int lines = Files.readAllLines(file).size();
            if (lines > MAX_LINES) {
                tooLong.put(SOURCES.relativize(file).toString(), lines);
            }
        }
        assertEquals(Map.of(), tooLong);
    }

    private static boolean reaches(Map<String, Set<String>> uses, String from, String target, Set<String> seen) {
        for (String next : uses.getOrDefault(from, Set.of())) {
            if (next.equals(target) || (seen.add(next) && reaches(uses, next, target, seen))) {
                return true;
            }
        }
        return false;
    }

    /** Each package and the other packages of the pipeline its classes import. */
    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : sources()) {
            Path folder = SOURCES.relativize(file).getParent();
            String pkg = folder == null ? ROOT : ROOT + "." + folder.toString().replace('/', '.');
            Set<String> imported = imported(Files.readString(file));
            imported.remove(pkg);
            uses.computeIfAbsent(pkg, p -> new TreeSet<>()).addAll(imported);
        }
        return uses;
    }

    private static Set<String> imported(String source) {
        Set<String> packages = new TreeSet<>();
        Matcher matcher = IMPORT.matcher(source);
        while (matcher.find()) {
            packages.add(matcher.group(1));
        }
        return packages;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java")).toList();
        }
    }
}
