package io.github.chakrakafkapipeline.testsupport;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/** The settings as shipped (config/application.properties), for a test to change and load. */
public final class ShippedSettings {

    private ShippedSettings() {
    }

    /** Each key of the shipped file with its value, in a map the caller may change. */
    public static Map<String, String> read() {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("config/application.properties"))) {
            file.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> settings = new HashMap<>();
        file.stringPropertyNames().forEach(key -> settings.put(key, file.getProperty(key)));
        return settings;
    }
}
