package io.github.chakrakafkapipeline.dedup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.chakrakafkapipeline.dedup.FingerprintSet.Fingerprint;

/**
 * The keys that reads under way claimed, each with its fingerprint and its message's chat and timestamp, until they
 * are confirmed (the message reached Kafka) or released: what a chat's window record needs, without hashing again.
 */
final class Claims {

    private record Claim(Fingerprint fingerprint, String chat, long timestamp) {
    }

    private final Map<String, Claim> claimed = new ConcurrentHashMap<>();

    /** False when another read claimed the key already. */
    boolean claim(String key, Fingerprint fingerprint, String chat, long timestamp) {
        return claimed.putIfAbsent(key, new Claim(fingerprint, chat, timestamp)) == null;
    }

    boolean holds(String key) {
        return claimed.containsKey(key);
    }

    boolean release(String key) {
        return claimed.remove(key) != null;
    }

    void clear() {
        claimed.clear();
    }

    /** The claimed keys' ids, by chat (a key not claimed: no chat, no timestamp). */
    Map<String, List<ChatWindows.Id>> idsByChat(Collection<String> keys) {
        Map<String, List<ChatWindows.Id>> byChat = new LinkedHashMap<>();
        for (String key : keys) {
            Claim claim = claimed.get(key);
            Claim known = claim != null ? claim : new Claim(Fingerprint.of(key), "", Long.MIN_VALUE);
            byChat.computeIfAbsent(known.chat(), c -> new ArrayList<>())
                    .add(new ChatWindows.Id(known.timestamp(), known.fingerprint()));
        }
        return byChat;
    }
}
