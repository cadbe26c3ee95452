package io.github.chakrakafkapipeline.benchmark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;

/**
 * The same HTTP calls as one poll cycle made with Apache HttpClient 5 (the client under camel-http), reading each
 * answer and nothing more: the cost of "the HTTP call itself" with the pipeline's own HTTP library.
 */
final class ApacheHttpFetcher implements AutoCloseable {

    private final String baseUrl;
    private final String authorization;
    private final List<String> chatIds;
    private final int concurrency;
    private final ExecutorService workers;
    private final CloseableHttpClient http;

    ApacheHttpFetcher(String baseUrl, String token, List<String> chatIds, int concurrency) {
        this.baseUrl = baseUrl;
        this.authorization = "Bearer " + token;
        this.chatIds = chatIds;
        this.concurrency = concurrency;
        this.workers = Executors.newFixedThreadPool(concurrency, r -> new Thread(r, "apache-http-fetcher"));
        PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager();
        connections.setDefaultMaxPerRoute(concurrency);
        this.http = HttpClients.custom().setConnectionManager(connections).disableAutomaticRetries().build();
    }

    void fetchOnly() throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>(concurrency);
        for (int i = 0; i < concurrency; i++) {
            running.add(workers.submit(() -> {
                for (int chat = next.getAndIncrement(); chat < chatIds.size(); chat = next.getAndIncrement()) {
                    fetch(chatIds.get(chat));
                }
                return null;
            }));
        }
        for (Future<?> worker : running) {
            worker.get();
        }
    }

    private byte[] fetch(String chatId) throws IOException {
        HttpPost post = new HttpPost(baseUrl + "/v1/ext/chat/" + chatId + "/message");
        post.setHeader("Authorization", authorization);
        post.setEntity(new StringEntity("{}", ContentType.APPLICATION_JSON));
        return http.execute(post, response -> {
            if (response.getCode() != 200) {
                throw new IOException("HTTP " + response.getCode() + " for chat " + chatId);
            }
            return EntityUtils.toByteArray(response.getEntity());
        });
    }

    @Override
    public void close() throws IOException {
        workers.shutdownNow();
        http.close();
    }
}
