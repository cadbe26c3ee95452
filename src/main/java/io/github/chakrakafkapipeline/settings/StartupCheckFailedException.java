package io.github.chakrakafkapipeline.settings;

/** A start-up check that failed for a reason the operator can fix; the message says what failed and what to do. */
public class StartupCheckFailedException extends RuntimeException {

    public StartupCheckFailedException(String message) {
        super(message);
    }

    public StartupCheckFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
