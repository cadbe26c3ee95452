package io.github.chakrakafkapipeline.testsupport;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.chakrakafkapipeline.chakra.MalformedResponseException;
import io.github.chakrakafkapipeline.chakra.ReceivedMessage;
import io.github.chakrakafkapipeline.chakra.ResponseParser;

/** Small helpers the tests share for the data they check. */
public final class TestData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TestData() {
    }

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("Not JSON: " + text, e);
        }
    }

    /** One element of an answer, read as the pipeline reads it. */
    public static ReceivedMessage message(String raw) {
        try {
            return new ResponseParser().parse(MessageJson.response(List.of(raw))).messages().get(0);
        } catch (MalformedResponseException e) {
            throw new AssertionError("Not an element of an answer: " + raw, e);
        }
    }

    @SafeVarargs
    public static <T> List<T> concat(List<T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<T> list : lists) {
            all.addAll(list);
        }
        return all;
    }
}
