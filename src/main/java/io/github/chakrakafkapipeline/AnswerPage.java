package io.github.chakrakafkapipeline;

import java.util.List;

/**
 * One answer of a list endpoint: its messages in the order received, and {@code _meta.hasMore} when the API said it
 * (null when it did not).
 */
public record AnswerPage(List<ReceivedMessage> messages, Boolean hasMore) {
}
