package io.scarcity.network.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Deep comparison of decoded values with the originals: every component of every record, recursively;
 * doubles by their bits (so NaN payloads and -0.0 count); maps by their entries in iteration order; lists
 * and arrays element by element. A type it does not know fails the comparison, so that a value it was not
 * written for is not passed unchecked.
 */
final class SameValue {
    private SameValue() {
    }

    static void assertSameValue(Object expected, Object actual) {
        compare(expected, actual, "value");
    }

    private static void compare(Object expected, Object actual, String path) {
        if (expected == null || actual == null) {
            if (expected != actual) {
                fail(path + ": expected " + expected + " but was " + actual);
            }
            return;
        }
        if (expected instanceof Double e) {
            if (!(actual instanceof Double a) || Double.doubleToRawLongBits(e) != Double.doubleToRawLongBits(a)) {
                fail(path + ": expected " + bits(e) + " but was " + (actual instanceof Double a ? bits(a) : actual));
            }
            return;
        }
        if (expected instanceof String || expected instanceof Long || expected instanceof Integer
                || expected instanceof Boolean || expected instanceof Enum<?>) {
            assertEquals(expected, actual, path);
            return;
        }
        if (expected.getClass().isArray()) {
            assertEquals(expected.getClass(), actual.getClass(), path + " array type");
            int n = Array.getLength(expected);
            assertEquals(n, Array.getLength(actual), path + " length");
            for (int i = 0; i < n; i++) {
                compare(Array.get(expected, i), Array.get(actual, i), path + "[" + i + "]");
            }
            return;
        }
        if (expected instanceof Map<?, ?> e) {
            if (!(actual instanceof Map<?, ?> a)) {
                fail(path + ": expected a map but was " + actual.getClass());
                return;
            }
            assertEquals(new ArrayList<>(e.keySet()), new ArrayList<>(a.keySet()), path + " keys in order");
            for (Map.Entry<?, ?> entry : e.entrySet()) {
                compare(entry.getValue(), a.get(entry.getKey()), path + "[" + entry.getKey() + "]");
            }
            return;
        }
        if (expected instanceof List<?> e) {
            if (!(actual instanceof List<?> a)) {
                fail(path + ": expected a list but was " + actual.getClass());
                return;
            }
            assertEquals(e.size(), a.size(), path + " size");
            for (int i = 0; i < e.size(); i++) {
                compare(e.get(i), a.get(i), path + "[" + i + "]");
            }
            return;
        }
        if (expected instanceof Record) {
            assertEquals(expected.getClass(), actual.getClass(), path + " type");
            for (RecordComponent c : expected.getClass().getRecordComponents()) {
                try {
                    compare(c.getAccessor().invoke(expected), c.getAccessor().invoke(actual), path + "." + c.getName());
                } catch (IllegalAccessException | InvocationTargetException ex) {
                    throw new AssertionError(path + "." + c.getName() + " cannot be read", ex);
                }
            }
            return;
        }
        fail(path + ": no comparison for " + expected.getClass().getName());
    }

    private static String bits(double d) {
        return d + " (0x" + Long.toHexString(Double.doubleToRawLongBits(d)) + ")";
    }
}
