package io.scarcity.plugins.governance;

import java.util.Locale;

/** A comparison of a compare rule; written as a symbol or, to spare YAML quoting, as a word. */
enum Operator {
    LE("<=", "le"), LT("<", "lt"), GE(">=", "ge"), GT(">", "gt"), EQ("==", "eq"), NE("!=", "ne");

    private final String symbol;
    private final String word;

    Operator(String symbol, String word) {
        this.symbol = symbol;
        this.word = word;
    }

    String symbol() {
        return symbol;
    }

    /** The operator written {@code text} (symbol or word, any case), or {@code null}. */
    static Operator parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (Operator o : values()) {
            if (o.symbol.equals(t) || o.word.equals(t)) {
                return o;
            }
        }
        return null;
    }

    /** For messages: every accepted spelling. */
    static String known() {
        StringBuilder symbols = new StringBuilder();
        StringBuilder words = new StringBuilder();
        for (Operator o : values()) {
            symbols.append(symbols.length() == 0 ? "" : ", ").append(o.symbol);
            words.append(words.length() == 0 ? "" : ", ").append(o.word);
        }
        return symbols + " (or " + words + ")";
    }
}
