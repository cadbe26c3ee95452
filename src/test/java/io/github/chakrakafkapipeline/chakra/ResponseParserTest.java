package io.github.chakrakafkapipeline.chakra;

import static io.github.chakrakafkapipeline.testsupport.ChakraStub.fixture;
import static io.github.chakrakafkapipeline.testsupport.MessageJson.response;
import static io.github.chakrakafkapipeline.testsupport.TestData.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The elements here are written out by hand: their exact text (spacing, odd types, repeated keys) is under test. */
class ResponseParserTest {

    private final ResponseParser parser = new ResponseParser();

    @Test
    void reads_the_documented_answer_keeping_each_element_text_as_received() throws Exception {
        String answer = fixture("phone-messages-response.json");
        ResponsePage page = parser.parse(answer);
        List<ReceivedMessage> messages = page.messages();

        assertEquals(3, messages.size());
        assertEquals(List.of(1760525496345L, 1760525485307L, 1760525484000L),
                messages.stream().map(ReceivedMessage::timestamp).toList(), "in the order received");
        assertEquals(null, page.hasMore(), "the response says nothing of more pages");
        for (ReceivedMessage message : messages) {
            assertTrue(answer.contains(message.raw()), "the published value is the exact text of the element");
            assertTrue(message.raw().startsWith("{") && message.raw().endsWith("}"), message.raw());
        }
    }

    @Test
    void reads_the_bytes_of_an_answer_as_utf8_whatever_the_default_charset() throws Exception {
        String element = "{\"externalId\": \"a\", \"text\": \"नमस्ते 👋 ça va\"}";
        ResponsePage page = parser.read(response(List.of(element)).getBytes(StandardCharsets.UTF_8));
        assertEquals(element, page.messages().get(0).raw());
    }

    @Test
    void keeps_fields_it_does_not_know() throws Exception {
        String element = "{\"externalId\": \"a\", \"brandNewField\": {\"x\": [1, 2.50]}}";
        ResponsePage page = parser.parse(response(List.of(element), false));
        assertEquals(element, page.messages().get(0).raw());
        assertEquals(false, page.hasMore());
    }

    @Test
    void reads_the_fields_it_uses_as_a_tree_would_without_building_one() throws Exception {
        List<String> elements = List.of(
                "{\"body\": {\"externalId\": \"nested\"}, \"externalId\": \"a\", \"timestamp\": 5, \"direction\": \"INBOUND\", \"chat\": \"c\"}",
                "{\"externalId\": 7, \"timestamp\": \"soon\", \"direction\": null, \"chat\": {\"id\": 1}}",
                "{\"externalId\": \"first\", \"externalId\": \"last\", \"timestamp\": 2.9, \"direction\": true, \"chat\": 12}",
                "{\"direction\": {\"to\": \"INBOUND\"}}");
        List<ReceivedMessage> messages = parser.parse(response(elements)).messages();
        for (int i = 0; i < elements.size(); i++) {
            ReceivedMessage message = messages.get(i);
            JsonNode tree = json(elements.get(i));
            assertEquals(elements.get(i), message.raw());
            assertTrue(message.object());
            assertEquals(tree.path("externalId").isTextual() ? tree.get("externalId").asText() : null,
                    message.externalId(), message.raw());
            assertEquals(tree.path("timestamp").canConvertToLong() ? tree.get("timestamp").asLong() : Long.MIN_VALUE,
                    message.timestamp(), message.raw());
            assertEquals(tree.path("chat").isValueNode() ? tree.get("chat").asText() : null, message.chat(),
                    message.raw());
            JsonNode direction = tree.path("direction");
            if (direction.isContainerNode()) {
                assertEquals(direction, json(message.direction()), "an object or array as its JSON");
            } else {
                assertEquals(direction.isValueNode() && !direction.isNull() ? direction.asText() : null,
                        message.direction(), message.raw());
            }
        }
        assertEquals("last", messages.get(2).externalId());
    }

    @Test
    void keeps_elements_that_are_not_objects_so_they_can_be_dead_lettered() throws Exception {
        List<ReceivedMessage> messages = parser.parse(response(List.of("\"text\"", "42", "null", "[1]"))).messages();
        assertEquals(List.of("\"text\"", "42", "null", "[1]"), messages.stream().map(ReceivedMessage::raw).toList());
        assertTrue(messages.stream().noneMatch(ReceivedMessage::object));
    }

    @Test
    void rejects_the_documentation_example_with_its_trailing_comma_naming_where() {
        MalformedResponseException error = assertThrows(MalformedResponseException.class,
                () -> parser.parse(fixture("phone-messages-response.as-documented.json")));
        assertTrue(error.getMessage().startsWith("the response is not valid JSON ("), error.getMessage());
        assertTrue(error.getMessage().contains("line "), error.getMessage());
    }

    @Test
    void rejects_answers_that_hold_no_list_of_messages() {
        assertEquals("the response is empty; expected a JSON object with a _data array", messageOf(""));
        assertEquals("the response is not a JSON object: [1, 2]", messageOf("[1, 2]"));
        assertEquals("the response has no _data field: {\"_errors\": []}", messageOf("{\"_errors\": []}"));
        assertEquals("_data is not an array but an object", messageOf("{\"_data\": {\"a\": 1}}"));
        assertEquals("_data is not an array but null", messageOf("{\"_data\": null}"));
        assertTrue(messageOf("<html>Bad gateway</html>").startsWith("the response is not valid JSON"));
        assertTrue(messageOf("{\"_data\": [{\"a\": 1}").startsWith("the response is not valid JSON"), "truncated");
    }

    private String messageOf(String answer) {
        return assertThrows(MalformedResponseException.class, () -> parser.parse(answer)).getMessage();
    }
}
