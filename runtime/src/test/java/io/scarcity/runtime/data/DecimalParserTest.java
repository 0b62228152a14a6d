package io.scarcity.runtime.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DecimalParserTest {
    private static void same(String s) {
        assertEquals(Double.doubleToRawLongBits(Double.parseDouble(s)), Double.doubleToRawLongBits(DecimalParser.parse(s)),
                "parsing '" + s + "'");
    }

    @Test
    void agreesBitForBitWithTheJdkOnEdgeCases() {
        for (String s : List.of("0", "-0", "+0", "1", "-1", "1.", ".5", "-.5", "5.1", "0.1", "0.3", "123456789012345",
                "1234567890123456", "12345678901234567890", "0.000000000000001", "9.99999999999999e22", "1e22", "1e23",
                "1e-22", "1e-23", "3E+2", "2.5e-3", "1e0005", " 1.5", "1.5 ", "1d", "2f", "0x1p3", "NaN", "-Infinity",
                "Infinity", "4.9e-324", "1.7976931348623157e308", "007", "0.7308781907032909")) {
            same(s);
        }
    }

    @Test
    void agreesBitForBitWithTheJdkOnRandomDecimals() {
        Random rnd = new Random(1);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder sb = new StringBuilder();
            if (rnd.nextInt(4) == 0) {
                sb.append('-');
            }
            int intDigits = rnd.nextInt(9);
            for (int d = 0; d < intDigits; d++) {
                sb.append((char) ('0' + rnd.nextInt(10)));
            }
            if (intDigits == 0 || rnd.nextBoolean()) {
                sb.append('.');
                int fracDigits = 1 + rnd.nextInt(10);
                for (int d = 0; d < fracDigits; d++) {
                    sb.append((char) ('0' + rnd.nextInt(10)));
                }
            }
            if (rnd.nextInt(5) == 0) {
                sb.append(rnd.nextBoolean() ? 'e' : 'E').append(rnd.nextInt(3) == 0 ? "-" : "").append(rnd.nextInt(30));
            }
            same(sb.toString());
        }
        for (int i = 0; i < 50_000; i++) {
            same(Double.toString(rnd.nextDouble() * Math.pow(10, rnd.nextInt(20) - 10)));
            same(Float.toString(rnd.nextFloat()));
        }
    }

    @Test
    void rejectsWhatTheJdkRejects() {
        for (String s : List.of("", "-", ".", "1.2.3", "1e", "1e+", "abc", "1,5", "--1", "1e5x", "e5")) {
            assertThrows(NumberFormatException.class, () -> Double.parseDouble(s), s);
            assertThrows(NumberFormatException.class, () -> DecimalParser.parse(s), s);
        }
    }
}
