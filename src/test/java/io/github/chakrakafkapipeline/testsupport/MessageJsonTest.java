package io.github.chakrakafkapipeline.testsupport;
import static io.github.chakrakafkapipeline.testsupport.ChakraStub.fixture;
import static io.github.chakrakafkapipeline.testsupport.TestData.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The builder makes what the documented API returns, so that tests built on it stay true to ChakraHQ. */
class MessageJsonTest {

    @Test
    void builds_the_documented_response_field_for_field_in_its_order() {
        JsonNode documented = json(fixture("chat-messages-response.json"));
        String newer = MessageJson.message("wamid.HBgMOTE5OTAxMjU4NDMzFQIAERgSM0JCQUEyMTA0MDc3RjE1N0MwAA==")
                .id("47eeb60e-ab3e-466a-880d-655270222f4e").text("How can i help you").timestamp(1762277358132L)
                .build();
        String older = MessageJson.message("wamid.HBgMOTE5OTAxMjU4NDMzFQIAERgSODBBQjI4Q0QxRjc0MjNBN0Y4AA==")
                .id("14bb0b8f-9027-41ba-8f2d-1bf3fdf364c9").text("Hello I am an AI Bot").timestamp(1762277357388L)
                .createdAt(1762277357392L).updatedAt(1762277357392L).build();

        String built = MessageJson.response(List.of(newer, older));
        assertEquals(documented.get("_data"), json(built).get("_data"));
        assertEquals(fieldNames(documented.get("_data").get(0)), fieldNames(json(newer)));
        assertEquals(MessageJson.elements(documented.toString()), List.of(newer, older));
    }

    @Test
    void shapes_the_body_by_direction_as_the_api_does() {
        assertEquals(json("{\"body\": \"wait\"}"),
                json(MessageJson.message("a").inbound().text("wait").build()).get("body"));
        assertEquals(json("{\"text\": {\"body\": \"wait\"}}"),
                json(MessageJson.message("a").outbound().text("wait").build()).get("body"));
    }

    private static List<String> fieldNames(JsonNode message) {
        List<String> names = new ArrayList<>();
        message.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
