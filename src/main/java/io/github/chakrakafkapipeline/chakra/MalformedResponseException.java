package io.github.chakrakafkapipeline.chakra;

/** An response from ChakraHQ that cannot be read as a list of messages; nothing from it is published. */
public class MalformedResponseException extends Exception {

    public MalformedResponseException(String message) {
        super(message);
    }

    public MalformedResponseException(String message, Throwable cause) {
        super(message, cause);
    }
}
