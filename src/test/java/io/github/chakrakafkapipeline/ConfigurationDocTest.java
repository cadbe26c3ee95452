package io.github.chakrakafkapipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/**
 * Keeps the configuration table of {@code docs/configuration.md} and {@code config/application.properties} in step:
 * every key on both sides, each with the file's value as its default and the environment variable that overrides it.
 *
 * <p>A table is one whose header row is {@link #TABLE_HEADER}; the page may hold several (the {@code camel.*} keys have
 * their own). A default is shown as a code span, or as {@code (none)} for an empty value. Each check returns one
 * message per problem, starting with the key; the same checks run on a small inline pair with one defect each, to
 * prove that they fire.
 */
class ConfigurationDocTest {

    private static final Path PROPERTIES = Path.of("config/application.properties");
    private static final Path DOC = Path.of("docs/configuration.md");
    private static final String TABLE_HEADER = "| key | environment variable | default | description |";
    private static final String NO_VALUE = "(none)";

    // ---- the real files ----

    @Test
    void every_key_of_the_properties_file_is_in_the_configuration_table() throws IOException {
        assertNoProblems(undocumentedKeys(properties(), table()));
    }

    @Test
    void every_key_of_the_configuration_table_is_in_the_properties_file() throws IOException {
        assertNoProblems(unknownKeys(properties(), table()));
    }

    @Test
    void every_key_is_in_the_configuration_table_once() throws IOException {
        assertNoProblems(repeatedKeys(table()));
    }

    @Test
    void every_default_shown_is_the_value_in_the_properties_file() throws IOException {
        assertNoProblems(wrongDefaults(properties(), table()));
    }

    @Test
    void every_environment_variable_is_the_key_upper_cased_with_underscores() throws IOException {
        assertNoProblems(wrongVariables(table()));
    }

    // ---- each check fires, naming the key ----

    @Test
    void a_table_that_drifted_from_the_properties_file_is_reported_key_by_key() throws IOException {
        Map<String, String> properties = readProperties(new StringReader("""
                # the file
                a.timeout.millis=5000
                a.token=
                a.body={"target": "${exchangeProperty.chakraTarget}"}
                b.only-in-file=x
                """));
        List<Row> table = readTable(List.of(
                "Some text.",
                TABLE_HEADER,
                "|---|---|---|---|",
                "| `a.timeout.millis` | `A_TIMEOUT_MILLIS` | `3000` | a default that differs |",
                "| `a.token` | `A_TOKEN` | (none) | an empty value |",
                "| `a.body` | `A_BODY` | `{\"target\": \"${exchangeProperty.chakraTarget}\"}` | a value with ${...} |",
                "| `a.body` | `A_BODY` | `x` | the same key twice |",
                "| `c.only-in-doc` | `C_ONLY-IN-DOC` | `x` | a key the file lacks, its dash kept |",
                ""));

        assertEquals(List.of("b.only-in-file: in " + PROPERTIES + " but not in the table of " + DOC),
                undocumentedKeys(properties, table));
        assertEquals(List.of("c.only-in-doc: in the table of " + DOC + " but not in " + PROPERTIES),
                unknownKeys(properties, table));
        assertEquals(List.of("a.body: in the table of " + DOC + " 2 times"), repeatedKeys(table));
        assertEquals(List.of(
                        "a.timeout.millis: the table shows the default `3000`, the properties file has `5000`",
                        "a.body: the table shows the default `x`, the properties file has"
                                + " `{\"target\": \"${exchangeProperty.chakraTarget}\"}`"),
                wrongDefaults(properties, table));
        assertEquals(List.of("c.only-in-doc: the table shows the environment variable C_ONLY-IN-DOC, not C_ONLY_IN_DOC"),
                wrongVariables(table));
    }

    // ---- the checks ----

    private static List<String> undocumentedKeys(Map<String, String> properties, List<Row> table) {
        List<String> documented = table.stream().map(Row::key).toList();
        return properties.keySet().stream()
                .filter(key -> !documented.contains(key))
                .map(key -> key + ": in " + PROPERTIES + " but not in the table of " + DOC)
                .toList();
    }

    private static List<String> unknownKeys(Map<String, String> properties, List<Row> table) {
        return table.stream().map(Row::key).distinct()
                .filter(key -> !properties.containsKey(key))
                .map(key -> key + ": in the table of " + DOC + " but not in " + PROPERTIES)
                .toList();
    }

    private static List<String> repeatedKeys(List<Row> table) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        table.forEach(row -> counts.merge(row.key(), 1, Integer::sum));
        return counts.entrySet().stream()
                .filter(count -> count.getValue() > 1)
                .map(count -> count.getKey() + ": in the table of " + DOC + " " + count.getValue() + " times")
                .toList();
    }

    private static List<String> wrongDefaults(Map<String, String> properties, List<Row> table) {
        List<String> problems = new ArrayList<>();
        for (Row row : table) {
            String value = properties.get(row.key());
            if (value != null && !value.equals(row.defaultValue())) {
                problems.add(row.key() + ": the table shows the default " + shown(row.defaultValue())
                        + ", the properties file has " + shown(value));
            }
        }
        return problems;
    }

    private static List<String> wrongVariables(List<Row> table) {
        return table.stream()
                .filter(row -> !row.variable().equals(variableOf(row.key())))
                .map(row -> row.key() + ": the table shows the environment variable " + row.variable() + ", not "
                        + variableOf(row.key()))
                .toList();
    }

    /** The environment variable that overrides a key: upper case, with {@code _} for {@code .} and {@code -}. */
    private static String variableOf(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static String shown(String value) {
        return value.isEmpty() ? NO_VALUE : "`" + value + "`";
    }

    // ---- reading the two files ----

    private static Map<String, String> properties() throws IOException {
        try (Reader reader = Files.newBufferedReader(PROPERTIES, StandardCharsets.ISO_8859_1)) {
            return readProperties(reader);
        }
    }

    /**
     * Keys and values in file order, read by {@link Properties} itself (as Camel reads the file), so that escapes and
     * separators mean here what they mean there; {@code {{...}}} and {@code ${...}} are kept as written.
     */
    @SuppressWarnings("serial")
    private static Map<String, String> readProperties(Reader reader) throws IOException {
        Map<String, String> inOrder = new LinkedHashMap<>();
        new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                inOrder.put((String) key, (String) value);
                return super.put(key, value);
            }
        }.load(reader);
        return inOrder;
    }

    private static List<Row> table() throws IOException {
        List<Row> rows = readTable(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        assertTrue(!rows.isEmpty(), DOC + " has no table whose header is " + TABLE_HEADER);
        return rows;
    }

    /** The rows of every table headed by {@link #TABLE_HEADER}, each up to the first line that is not a table row. */
    private static List<Row> readTable(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : lines) {
            String trimmed = line.strip();
            if (trimmed.equals(TABLE_HEADER)) {
                inTable = true;
            } else if (!trimmed.startsWith("|")) {
                inTable = false;
            } else if (inTable && !trimmed.startsWith("|---")) {
                rows.add(Row.of(trimmed));
            }
        }
        return rows;
    }

    /** One row of the table: its key, environment variable and default, without the code-span backticks. */
    private record Row(String key, String variable, String defaultValue) {

        static Row of(String line) {
            // cells are split at each '|' not escaped as '\|' (a value holding '|' would be written so)
            String[] cells = line.substring(1).split("(?<!\\\\)\\|", -1);
            assertTrue(cells.length >= 4, "not a row of key, environment variable, default, description: " + line);
            String defaultValue = unescape(cells[2]).equals(NO_VALUE) ? "" : code(cells[2]);
            return new Row(code(cells[0]), code(cells[1]), defaultValue);
        }

        private static String code(String cell) {
            String text = unescape(cell);
            boolean isCodeSpan = text.length() >= 2 && text.startsWith("`") && text.endsWith("`");
            return isCodeSpan ? text.substring(1, text.length() - 1) : text;
        }

        private static String unescape(String cell) {
            return cell.strip().replace("\\|", "|");
        }
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n" + String.join("\n", problems));
    }
}
