package io.scarcity.plugins.temporal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The committed extract of the single-hop sensor network data set (see resources/sensors/ATTRIBUTION.md). */
final class Sensors {
    /** One mote's readings in stream order. */
    record Series(double[] humidity, double[] temperature, int[] label) {
        int length() {
            return temperature.length;
        }
    }

    private Sensors() {
    }

    static Series mote(int mote) {
        List<double[]> rows = new ArrayList<>();
        try (InputStream raw = Sensors.class.getResourceAsStream("/sensors/motes-1-2.csv.gz")) {
            if (raw == null) {
                throw new IllegalStateException("test resource /sensors/motes-1-2.csv.gz is missing");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8));
            String header = in.readLine();
            if (!"mote_id,reading,humidity,temperature,label".equals(header)) {
                throw new IllegalStateException("unexpected header " + header);
            }
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split(",");
                if (Integer.parseInt(f[0]) == mote) {
                    rows.add(new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])});
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = rows.size();
        double[] h = new double[n];
        double[] t = new double[n];
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            h[i] = rows.get(i)[0];
            t[i] = rows.get(i)[1];
            l[i] = (int) rows.get(i)[2];
        }
        return new Series(h, t, l);
    }
}
