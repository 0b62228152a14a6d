package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
    private static List<List<String>> parse(String text, char delimiter) throws IOException {
        CsvReader r = new CsvReader(new StringReader(text), delimiter, "t.csv");
        List<List<String>> out = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        while (r.next(fields)) {
            assertNull(r.syntaxError(), "unexpected syntax error on line " + r.recordLine());
            out.add(List.copyOf(fields));
        }
        return out;
    }

    @Test
    void splitsPlainFields() throws IOException {
        assertEquals(List.of(List.of("a", "b", "c"), List.of("1", "", "3")), parse("a,b,c\n1,,3\n", ','));
    }

    @Test
    void quotedFieldsKeepDelimitersQuotesAndLineBreaks() throws IOException {
        assertEquals(List.of(List.of("x, y", "say \"hi\"", "two\nlines", "")),
                parse("\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"\n", ','));
    }

    @Test
    void quoteInsideAnUnquotedFieldIsLiteral() throws IOException {
        assertEquals(List.of(List.of("5\" pipe", "b")), parse("5\" pipe,b", ','));
    }

    @Test
    void handlesCrlfLoneCrTrailingDelimiterAndNoFinalNewline() throws IOException {
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2"), List.of("3", "")),
                parse("a,b\r\n1,2\r3,", ','));
    }

    @Test
    void skipsBlankLinesAndCountsPhysicalLines() throws IOException {
        CsvReader r = new CsvReader(new StringReader("h\n\n\"a\nb\"\r\n\r\nc\n"), ',', "t.csv");
        List<String> f = new ArrayList<>();
        assertTrue(r.next(f));
        assertEquals(1, r.recordLine());
        assertTrue(r.next(f));
        assertEquals(3, r.recordLine());
        assertEquals(List.of("a\nb"), f);
        assertTrue(r.next(f));
        assertEquals(6, r.recordLine());
        assertEquals(List.of("c"), f);
        assertFalse(r.next(f));
    }

    @Test
    void otherDelimiters() throws IOException {
        assertEquals(List.of(List.of("a,b", "c")), parse("a,b;c", ';'));
        assertEquals(List.of(List.of("a", "b c")), parse("a\tb c", '\t'));
    }

    @Test
    void textAfterAClosingQuoteIsASyntaxErrorOfThatRowOnly() throws IOException {
        CsvReader r = new CsvReader(new StringReader("\"a\"b,c\nd,e\n"), ',', "t.csv");
        List<String> f = new ArrayList<>();
        assertTrue(r.next(f));
        assertNotNull(r.syntaxError());
        assertTrue(r.next(f));
        assertNull(r.syntaxError());
        assertEquals(List.of("d", "e"), f);
        assertEquals(2, r.recordLine());
    }

    @Test
    void unclosedQuoteFailsNamingFileAndStartLine() {
        CsvReader r = new CsvReader(new StringReader("a,b\n1,\"oops\n2,3\n"), ',', "t.csv");
        List<String> f = new ArrayList<>();
        DataException e = assertThrows(DataException.class, () -> {
            while (r.next(f)) {
                // drain
            }
        });
        assertTrue(e.getMessage().startsWith("t.csv:2:"), e.getMessage());
    }

    @Test
    void longInputCrossesBufferBoundaries() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append(i).append(",\"q,").append(i).append("\"\r\n");
        }
        List<List<String>> rows = parse(sb.toString(), ',');
        assertEquals(20_000, rows.size());
        assertEquals(List.of("19999", "q,19999"), rows.get(19_999));
    }
}
