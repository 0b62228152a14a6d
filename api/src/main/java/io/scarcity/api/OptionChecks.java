package io.scarcity.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Checks of option values for plugins' options records, with one wording for every plugin. Each method
 * returns the value it checked, so it can be used inline ({@code this.rate = OptionChecks.inOpenClosed("rate",
 * rate, 0, 1)}), and throws an {@link InvalidOptionException} naming {@code key} (relative to the plugin's
 * config; the runtime adds the full path) when the value is not accepted. A NaN is never accepted by a
 * check on a number. Stateless.
 *
 * <p>Wordings: {@code must be finite}, {@code must be finite and >= 0}, {@code must be finite and > 0},
 * {@code must be in (0, 1]} (brackets as in interval notation), {@code must be a whole number >= 1},
 * {@code must be a whole number in [1, 10]}, {@code must be one of a, b}, {@code must be given}; a value
 * that is refused follows as {@code , got 2.5}.
 */
public final class OptionChecks {
    private OptionChecks() {
    }

    /** A finite number (not NaN, not infinite). */
    public static double finite(String key, double value) {
        if (!Double.isFinite(value)) {
            throw refused(key, "must be finite", value);
        }
        return value;
    }

    /** A finite number {@code >= min}. */
    public static double atLeast(String key, double value, double min) {
        if (!(value >= min) || Double.isInfinite(value)) {
            throw refused(key, "must be finite and >= " + bound(min), value);
        }
        return value;
    }

    /** A finite number {@code > min}. */
    public static double above(String key, double value, double min) {
        if (!(value > min) || Double.isInfinite(value)) {
            throw refused(key, "must be finite and > " + bound(min), value);
        }
        return value;
    }

    /** A number in the closed range [{@code min}, {@code max}]. */
    public static double inClosed(String key, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw refused(key, "must be in [" + bound(min) + ", " + bound(max) + "]", value);
        }
        return value;
    }

    /** A number in the half-open range ({@code min}, {@code max}], e.g. a rate in (0, 1]. */
    public static double inOpenClosed(String key, double value, double min, double max) {
        if (!(value > min && value <= max)) {
            throw refused(key, "must be in (" + bound(min) + ", " + bound(max) + "]", value);
        }
        return value;
    }

    /** A number in the half-open range [{@code min}, {@code max}), e.g. a forgetting factor in [0, 1). */
    public static double inClosedOpen(String key, double value, double min, double max) {
        if (!(value >= min && value < max)) {
            throw refused(key, "must be in [" + bound(min) + ", " + bound(max) + ")", value);
        }
        return value;
    }

    /** A number in the open range ({@code min}, {@code max}). */
    public static double inOpen(String key, double value, double min, double max) {
        if (!(value > min && value < max)) {
            throw refused(key, "must be in (" + bound(min) + ", " + bound(max) + ")", value);
        }
        return value;
    }

    /** A whole number {@code >= min}. */
    public static int atLeast(String key, int value, int min) {
        if (value < min) {
            throw refused(key, "must be a whole number >= " + min, value);
        }
        return value;
    }

    /** A whole number {@code >= min}. */
    public static long atLeast(String key, long value, long min) {
        if (value < min) {
            throw refused(key, "must be a whole number >= " + min, value);
        }
        return value;
    }

    /** A whole number in the closed range [{@code min}, {@code max}]. */
    public static int inRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw refused(key, "must be a whole number in [" + min + ", " + max + "]", value);
        }
        return value;
    }

    /** One of {@code names}, compared exactly; returns {@code value}. */
    public static String oneOf(String key, String value, Collection<String> names) {
        if (value == null || !names.contains(value)) {
            throw new InvalidOptionException(key, "must be one of " + String.join(", ", names)
                    + (value == null ? "" : ", got '" + value + "'"));
        }
        return value;
    }

    /**
     * The constant of {@code type} named {@code value}, as config files write it: case-insensitive, with
     * {@code -} for {@code _} ({@code reward}, {@code feature-drift}).
     */
    public static <E extends Enum<E>> E oneOf(String key, String value, Class<E> type) {
        List<String> names = names(type);
        if (value != null) {
            String written = value.toLowerCase(Locale.ROOT).replace('_', '-');
            int i = names.indexOf(written);
            if (i >= 0) {
                return type.getEnumConstants()[i];
            }
        }
        throw new InvalidOptionException(key, "must be one of " + String.join(", ", names)
                + (value == null ? "" : ", got '" + value + "'"));
    }

    /**
     * A value that must be present (an option of a record built in code, not from a config); for an enum
     * prefer {@link #notNull(String, Enum, Class)}, whose message lists the constants.
     */
    public static <T> T notNull(String key, T value) {
        if (value == null) {
            throw new InvalidOptionException(key, "must be given");
        }
        return value;
    }

    /** A constant of {@code type} that must be present; the message lists the constants. */
    public static <E extends Enum<E>> E notNull(String key, E value, Class<E> type) {
        if (value == null) {
            throw new InvalidOptionException(key, "must be one of " + String.join(", ", names(type)));
        }
        return value;
    }

    /** The names of {@code type}'s constants as config files write them (lower case, {@code -} for {@code _}). */
    public static <E extends Enum<E>> List<String> names(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return names;
    }

    private static InvalidOptionException refused(String key, String rule, Object value) {
        return new InvalidOptionException(Objects.requireNonNull(key, "key is null"), rule + ", got " + value);
    }

    /** A bound as people write it: 0 and 1 rather than 0.0 and 1.0. */
    private static String bound(double b) {
        return b == Math.rint(b) && Math.abs(b) < 1e15 ? String.valueOf((long) b) : String.valueOf(b);
    }
}
