package io.github.chakrakafkapipeline.chakra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The exchange property {@code targetPoll} only describes the target: what a read fetches and what becomes of it
 * travel in the body. A field that can change would let a bean method pass state to another on the side again.
 */
class TargetPollTest {

    @Test
    void the_target_poll_in_the_exchange_property_never_changes() {
        List<String> mutable = Arrays.stream(TargetPoll.class.getDeclaredFields())
                .filter(field -> !Modifier.isStatic(field.getModifiers()) && !Modifier.isFinal(field.getModifiers()))
                .map(Field::getName).toList();
        assertEquals(List.of(), mutable, "TargetPoll fields that can change");
    }
}
