package io.github.chakrakafkapipeline.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How a Kafka failure is named in a log line: each cause's type and message, never a stack trace. */
public final class Failures {

    private Failures() {
    }

    public static String describe(Throwable failure) {
        if ((failure instanceof ExecutionException || failure instanceof CompletionException)
                && failure.getCause() != null) {
            return describe(failure.getCause());
        }
        String described = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        Throwable cause = failure.getCause();
        return cause == null || cause == failure ? described : described + "; " + describe(cause);
    }

    /** Whether {@code type} is the failure or one of its causes. */
    public static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        return cause(failure, type) != null;
    }

    public static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
