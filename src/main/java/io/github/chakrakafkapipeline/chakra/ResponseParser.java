package io.github.chakrakafkapipeline.chakra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a ChakraHQ list response ({@code {"_data": [...], "_meta": {...}, "_errors": [...]}}) into its messages and
 * what {@code _meta} says of further pages. The whole response must be valid JSON: a broken one is rejected as a whole rather than half-read, so that
 * nothing is published from it. Strict JSON on purpose: a trailing comma, as in the documentation's own example, can
 * also be the sign of a truncated response, and a lenient read could then publish a partial list as if it were whole.
 */
public class ResponseParser {

    private static final int ERROR_SNIPPET_CHARS = 120;

    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * An response as received. JSON is UTF-8 (RFC 8259), whatever charset the response or the JVM default names; it is
     * read as bytes, and an element's text is decoded only when it is published.
     */
    public ResponsePage read(byte[] response) throws MalformedResponseException {
        if (response == null || isBlank(response)) {
            throw new MalformedResponseException("the response is empty; expected a JSON object with a _data array");
        }
        List<ReceivedMessage> messages = null;
        Boolean hasMore = null;
        try (JsonParser parser = mapper.createParser(response)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedResponseException("the response is not a JSON object: " + snippet(response));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("_data".equals(field)) {
                    if (value != JsonToken.START_ARRAY) {
                        throw new MalformedResponseException("_data is not an array but " + describe(value));
                    }
                    messages = readElements(parser, response);
                } else if ("_meta".equals(field)) {
                    JsonNode more = mapper.<JsonNode>readTree(parser).get("hasMore");
                    hasMore = more != null && more.isBoolean() ? more.booleanValue() : null;
                } else {
                    parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw new MalformedResponseException("the response has content after its JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new MalformedResponseException("the response is not valid JSON (" + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new MalformedResponseException("the response could not be read: " + e.getMessage(), e);
        }
        if (messages == null) {
            throw new MalformedResponseException("the response has no _data field: " + snippet(response));
        }
        return new ResponsePage(messages, hasMore);
    }

    /** An response given as text. */
    public ResponsePage parse(String response) throws MalformedResponseException {
        return read(response == null ? null : response.getBytes(StandardCharsets.UTF_8));
    }

    private List<ReceivedMessage> readElements(JsonParser parser, byte[] response) throws IOException {
        List<ReceivedMessage> elements = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            int start = (int) parser.currentTokenLocation().getByteOffset();
            if (token == JsonToken.START_OBJECT) {
                elements.add(readObject(parser, response, start));
            } else {
                // not a message: the classifier will say why
                if (token.isScalarValue()) {
                    parser.finishToken(); // so that the location is past the value's end
                } else {
                    parser.skipChildren();
                }
                int end = (int) parser.currentLocation().getByteOffset();
                elements.add(new ReceivedMessage(response, start, end, false, null, Long.MIN_VALUE, null, null));
            }
        }
        return elements;
    }

    /** A message object, read for the fields the pipeline uses only: no tree is built for it. */
    private static ReceivedMessage readObject(JsonParser parser, byte[] response, int start) throws IOException {
        String externalId = null;
        long timestamp = Long.MIN_VALUE;
        String direction = null;
        String chat = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "externalId" -> externalId = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                case "timestamp" -> timestamp = value.isNumeric() ? parser.getValueAsLong(Long.MIN_VALUE) : Long.MIN_VALUE;
                case "direction" -> direction = value.isStructStart() ? json(parser, response) : scalarText(parser, value);
                case "chat" -> chat = scalarText(parser, value);
                default -> { }
            }
            parser.skipChildren(); // a no-op on a scalar, or once skipped
        }
        int end = (int) parser.currentLocation().getByteOffset();
        return new ReceivedMessage(response, start, end, true, externalId, timestamp, direction, chat);
    }

    /** A scalar's text (a number as written); null for JSON null, an object or an array, which are skipped. */
    private static String scalarText(JsonParser parser, JsonToken value) throws IOException {
        if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
            return parser.getText();
        }
        parser.skipChildren();
        return null;
    }

    /** The object or array the parser is at, as its JSON text. */
    private static String json(JsonParser parser, byte[] response) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        parser.skipChildren();
        int end = (int) parser.currentLocation().getByteOffset();
        return new String(response, start, end - start, StandardCharsets.UTF_8);
    }

    private static boolean isBlank(byte[] response) {
        for (byte b : response) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case VALUE_NULL -> "null";
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> "a number";
        };
    }

    private static String snippet(byte[] response) {
        String start = new String(response, 0, Math.min(response.length, 4 * ERROR_SNIPPET_CHARS), StandardCharsets.UTF_8);
        String flat = start.strip().replaceAll("\\s+", " ");
        return flat.length() <= ERROR_SNIPPET_CHARS ? flat : flat.substring(0, ERROR_SNIPPET_CHARS) + "…";
    }
}
