package io.github.chakrakafkapipeline.chakra;

import java.util.List;

/**
 * One response of a ChakraHQ list operation: its messages in the order received, and {@code _meta.hasMore} when the API said it
 * (null when it did not).
 */
public record ResponsePage(List<ReceivedMessage> messages, Boolean hasMore) {
}
