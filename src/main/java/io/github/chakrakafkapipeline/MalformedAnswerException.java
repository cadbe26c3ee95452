package io.github.chakrakafkapipeline;

/** An answer from ChakraHQ that cannot be read as a list of messages; nothing from it is published. */
public class MalformedAnswerException extends Exception {

    public MalformedAnswerException(String message) {
        super(message);
    }

    public MalformedAnswerException(String message, Throwable cause) {
        super(message, cause);
    }
}
