package io.github.chakrakafkapipeline;

import static io.github.chakrakafkapipeline.testsupport.ChakraStub.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ChakraAnswerParserTest {

    private final ChakraAnswerParser parser = new ChakraAnswerParser();

    @Test
    void reads_the_documented_answer_keeping_each_element_text_as_received() throws Exception {
        String answer = fixture("phone-messages-response.json");
        AnswerPage page = parser.parse(answer);
        List<ReceivedMessage> messages = page.messages();

        assertEquals(3, messages.size());
        assertEquals(List.of(1760525496345L, 1760525485307L, 1760525484000L),
                messages.stream().map(ReceivedMessage::timestamp).toList(), "in the order received");
        assertEquals(null, page.hasMore(), "the answer says nothing of more pages");
        for (ReceivedMessage message : messages) {
            assertTrue(answer.contains(message.raw()), "the published value is the exact text of the element");
            assertTrue(message.raw().startsWith("{") && message.raw().endsWith("}"), message.raw());
        }
    }

    @Test
    void keeps_fields_it_does_not_know() throws Exception {
        AnswerPage page = parser.parse(
                "{\"_data\": [{\"externalId\": \"a\", \"brandNewField\": {\"x\": [1, 2.50]}}], \"_meta\": {\"hasMore\": false}}");
        assertEquals("{\"externalId\": \"a\", \"brandNewField\": {\"x\": [1, 2.50]}}", page.messages().get(0).raw());
        assertEquals(false, page.hasMore());
    }

    @Test
    void reads_each_element_for_its_external_id_and_timestamp_as_a_tree_would() throws Exception {
        List<ReceivedMessage> messages = parser.parse("{\"_data\": ["
                + "{\"body\": {\"externalId\": \"nested\"}, \"externalId\": \"a\", \"timestamp\": 5},"
                + "{\"externalId\": 7, \"timestamp\": \"soon\"},"
                + "{\"externalId\": \"first\", \"externalId\": \"last\", \"timestamp\": 2.9}]}").messages();
        for (ReceivedMessage message : messages) {
            ReceivedMessage fromTree = ReceivedMessage.of(message.raw());
            assertEquals(fromTree.externalId(), message.externalId(), message.raw());
            assertEquals(fromTree.timestamp(), message.timestamp(), message.raw());
        }
        assertEquals("a", messages.get(0).externalId());
        assertEquals(null, messages.get(1).externalId(), "not textual");
        assertEquals("last", messages.get(2).externalId());
        assertEquals("last", messages.get(2).json().get("externalId").asText(), "the tree, built when asked for");
    }

    @Test
    void keeps_elements_that_are_not_objects_so_they_can_be_dead_lettered() throws Exception {
        List<ReceivedMessage> messages = parser.parse("{\"_data\": [\"text\", 42, null, [1]]}").messages();
        assertEquals(List.of("\"text\"", "42", "null", "[1]"), messages.stream().map(ReceivedMessage::raw).toList());
    }

    @Test
    void rejects_the_documentation_example_with_its_trailing_comma_naming_where() {
        MalformedAnswerException error = assertThrows(MalformedAnswerException.class,
                () -> parser.parse(fixture("phone-messages-response.as-documented.json")));
        assertTrue(error.getMessage().startsWith("the answer is not valid JSON ("), error.getMessage());
        assertTrue(error.getMessage().contains("line "), error.getMessage());
    }

    @Test
    void rejects_answers_that_hold_no_list_of_messages() {
        assertEquals("the answer is empty; expected a JSON object with a _data array", messageOf(""));
        assertEquals("the answer is not a JSON object: [1, 2]", messageOf("[1, 2]"));
        assertEquals("the answer has no _data field: {\"_errors\": []}", messageOf("{\"_errors\": []}"));
        assertEquals("_data is not an array but an object", messageOf("{\"_data\": {\"a\": 1}}"));
        assertEquals("_data is not an array but null", messageOf("{\"_data\": null}"));
        assertTrue(messageOf("<html>Bad gateway</html>").startsWith("the answer is not valid JSON"));
        assertTrue(messageOf("{\"_data\": [{\"a\": 1}").startsWith("the answer is not valid JSON"), "truncated");
    }

    private String messageOf(String answer) {
        return assertThrows(MalformedAnswerException.class, () -> parser.parse(answer)).getMessage();
    }
}
