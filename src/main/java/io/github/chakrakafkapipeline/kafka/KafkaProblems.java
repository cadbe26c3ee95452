package io.github.chakrakafkapipeline.kafka;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What keeps the pipeline from publishing that only ops can mend on the Kafka side: a topic missing or refused, an ACL
 * missing, a setting the brokers reject. Each problem is logged once, as one line that names the resource and the fix,
 * and holds readiness down until it is resolved; publishing resumes by itself then, without a restart.
 */
public class KafkaProblems {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaProblems.class);

    /** By resource ("topic chakra.messages.inbound", "transactional id ..."): the line that says what to do. */
    private final Map<String, String> problems = new ConcurrentSkipListMap<>();
    /** The resources whose problem stops all publishing (the transactional id, say), not just one topic's. */
    private final Set<String> blocking = ConcurrentHashMap.newKeySet();

    /** A problem with {@code resource}; logged when new or changed. */
    public void report(String resource, String line) {
        if (!line.equals(problems.put(resource, line))) {
            LOG.error(line);
        }
    }

    /** A problem that stops all publishing: no poll reads anything until it is resolved. */
    public void reportBlocking(String resource, String line) {
        blocking.add(resource);
        report(resource, line);
    }

    /** Whether a problem stops all publishing now. */
    public boolean blocksPublishing() {
        return !blocking.isEmpty();
    }

    /** The resource is fine (again); logged when it had a problem. */
    public void resolve(String resource) {
        blocking.remove(resource);
        if (problems.remove(resource) != null) {
            LOG.info("Resolved: {} is usable again", resource);
        }
    }

    public boolean has(String resource) {
        return problems.containsKey(resource);
    }

    public int size() {
        return problems.size();
    }

    public boolean isEmpty() {
        return problems.isEmpty();
    }

    /** The current problems' lines, by resource. */
    public List<String> lines() {
        return List.copyOf(problems.values());
    }
}
