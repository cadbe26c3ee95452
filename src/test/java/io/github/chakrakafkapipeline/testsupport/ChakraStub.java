package io.github.chakrakafkapipeline.testsupport;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/** A ChakraHQ stand-in over real HTTP (WireMock) that answers only requests carrying the expected bearer token. */
public final class ChakraStub implements AutoCloseable {

    public static final String PHONE_PATH = "/v1/ext/plugin/whatsapp/list-chat-messages-for-phone-number";
    /** List chats (discovery). */
    public static final String CHAT_LIST_PATH = "/v1/ext/chat";

    private final WireMockServer server;
    private final String token;

    public ChakraStub(String token) {
        this.token = token;
        this.server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    public String baseUrl() {
        return server.baseUrl();
    }

    public WireMockServer server() {
        return server;
    }

    /** Settings that point the pipeline at this stub and a broker, polling every second; add to them as needed. */
    public Map<String, String> pipelineSettings(String bootstrapServers, String chatIds, String phoneNumbers) {
        Map<String, String> settings = new HashMap<>();
        settings.put("chakra.api.base.url", baseUrl());
        settings.put("chakra.api.token", token);
        settings.put("chakra.chat.ids", chatIds);
        settings.put("chakra.phone.numbers", phoneNumbers);
        settings.put("pipeline.poll.cron", "0/1 * * * * ?");
        settings.put("kafka.bootstrap.servers", bootstrapServers);
        return settings;
    }

    public void answerChat(String chatId, String answer) {
        answerChat(chatId, okJson(answer));
    }

    public void answerChat(String chatId, ResponseDefinitionBuilder response) {
        server.stubFor(post(urlPathEqualTo("/v1/ext/chat/" + chatId + "/message"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(response));
    }

    /** List chat messages answers {@code answer} to the chat's request for page {@code page} (from 1). */
    public void answerChatPage(String chatId, int page, String answer) {
        server.stubFor(post(urlPathEqualTo("/v1/ext/chat/" + chatId + "/message"))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withRequestBody(equalToJson("{\"page\": " + page + "}", true, true))
                .willReturn(okJson(answer)));
    }

    /** List chats answers {@code answer} to every page asked for. */
    public void answerChatList(String answer) {
        answerChatList(okJson(answer));
    }

    public void answerChatList(ResponseDefinitionBuilder response) {
        server.stubFor(post(urlPathEqualTo(CHAT_LIST_PATH))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .willReturn(response));
    }

    /** List chats answers {@code answer} to the request for page {@code page} (its body's "page" field, from 1). */
    public void answerChatListPage(int page, String answer) {
        server.stubFor(post(urlPathEqualTo(CHAT_LIST_PATH))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withRequestBody(equalToJson("{\"page\": " + page + "}", true, true))
                .willReturn(okJson(answer)));
    }

    public void answerPhone(String phoneNumber, String answer) {
        answerPhone(phoneNumber, okJson(answer));
    }

    public void answerPhone(String phoneNumber, ResponseDefinitionBuilder response) {
        server.stubFor(post(urlPathEqualTo(PHONE_PATH))
                .withHeader("Authorization", equalTo("Bearer " + token))
                .withRequestBody(equalToJson("{\"customerPhoneNumber\": \"" + phoneNumber + "\"}"))
                .willReturn(response));
    }

    public static ResponseDefinitionBuilder okJson(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** A fixture file from src/test/resources/fixtures, as text. */
    public static String fixture(String name) {
        try (InputStream in = ChakraStub.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
