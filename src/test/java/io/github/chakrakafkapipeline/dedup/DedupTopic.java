package io.github.chakrakafkapipeline.dedup;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.chakrakafkapipeline.dedup.FingerprintSet.Fingerprint;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** What the dedup topic says was published, for tests that look at the topic itself. */
public final class DedupTopic {

    private DedupTopic() {
    }

    /** The ids the newest record of each chat holds, as fingerprints (a chat's window; all of it in small tests). */
    public static Set<Fingerprint> held(Iterable<ConsumerRecord<String, String>> records) {
        Map<String, String> newest = new LinkedHashMap<>();
        records.forEach(record -> newest.put(record.key(), record.value()));
        return newest.values().stream().map(ChatWindows::decode)
                .flatMap(window -> window.ids().stream().map(ChatWindows.Id::fingerprint))
                .collect(Collectors.toSet());
    }

    public static Fingerprint fingerprint(String externalId) {
        return Fingerprint.of(externalId);
    }
}
