package io.github.chakrakafkapipeline.benchmark;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import io.github.chakrakafkapipeline.testsupport.EmbeddedKafka;

/**
 * The benchmark's fixtures in a JVM of their own: the real Kafka broker (KRaft, Kafka's test kit) and the ChakraHQ
 * simulator. Kept out of the measuring JVM so that its CPU time, allocations and heap are the contender's alone.
 * Prints one {@code READY kafka=... chakra=...} line, then runs until its standard input closes (the benchmark
 * ending or dying).
 * <p>
 * Arguments: chats, messagesPerChat, seed, simulatorThreads.
 */
public final class BenchmarkInfra {

    private BenchmarkInfra() {
    }

    public static void main(String[] args) throws Exception {
        int chats = Integer.parseInt(args[0]);
        int messagesPerChat = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        int simulatorThreads = Integer.parseInt(args[3]);
        EmbeddedKafka kafka = EmbeddedKafka.start();
        ChakraSimulator simulator = ChakraSimulator.start(chats, messagesPerChat, seed, Corpus.TOKEN, simulatorThreads);
        System.out.println("READY kafka=" + kafka.bootstrapServers() + " chakra=" + simulator.baseUrl()
                + " answerBytes=" + simulator.answerBytes());
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // nothing to do: we wait for the benchmark to close our input
            }
        } finally {
            simulator.close();
            kafka.close();
        }
        System.exit(0);
    }
}
