package io.github.chakrakafkapipeline.settings;

/** A setting that is missing or cannot be used; the message names it and says what to do. */
public class InvalidSettingException extends StartupCheckFailedException {

    public InvalidSettingException(String key, String problem) {
        super("Invalid setting " + envName(key) + " (" + key + " in config/application.properties): " + problem);
    }

    static String envName(String key) {
        return key.toUpperCase().replace('.', '_').replace('-', '_');
    }
}
