package io.scarcity.bench;

import io.scarcity.runtime.secagg.SecureAggregation;
import java.security.SecureRandom;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * What secure aggregation costs per round at 10, 100 and 1,000 clients: one aggregation of a vector of 1,000 values
 * per client (about a statistical expert's state on 50 features and 10 classes), with a tenth of the clients leaving
 * after sharing their keys (their pairwise masks must be removed), played out in this process. Per client: computing
 * time and bytes sent and received; for the coordinator: computing time. Beside it, in the same run, the plain sum it
 * replaces (each client sends its 8,000 bytes; the coordinator adds them up). Complete graphs up to 10 clients, then
 * SecAgg+ neighbourhoods.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.scarcity.bench.SecAggCost</pre>
 */
public final class SecAggCost {
    private SecAggCost() {
    }

    public static void main(String[] args) {
        int length = 1000;
        System.out.println("| clients | neighbours | threshold | client ms | coordinator ms | KB up/client | KB down/client | plain KB up/client | plain sum ms | exact |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        int[][] settings = {{10, 9, 6}, {100, 20, 11}, {100, 99, 51}, {1000, 30, 16}};
        for (int[] s : settings) {
            int n = s[0];
            Random r = new Random(n);
            long[][] x = new long[n][length];
            for (long[] row : x) {
                for (int i = 0; i < length; i++) {
                    row[i] = r.nextInt(1 << 20);
                }
            }
            Set<Integer> leave = new TreeSet<>();
            while (leave.size() < n / 10) {
                leave.add(r.nextInt(n));
            }
            SecureAggregation.run(x, s[1], s[2], leave, Set.of(), new SecureRandom(), 1); // warm-up
            SecureAggregation.Round round = SecureAggregation.run(x, s[1], s[2], leave, Set.of(), new SecureRandom(), 2);
            long t = System.nanoTime();
            long[] plain = new long[length];
            for (int u = 0; u < n; u++) {
                if (!leave.contains(u)) {
                    for (int i = 0; i < length; i++) {
                        plain[i] += x[u][i];
                    }
                }
            }
            double plainMs = (System.nanoTime() - t) / 1e6;
            boolean exact = round.result().aggregated() && java.util.Arrays.equals(plain, round.result().sum());
            System.out.printf("| %,d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %s |%n", n, Math.min(s[1], n - 1), s[2],
                    round.clientNanos() / 1e6 / n, round.serverNanos() / 1e6, round.bytesUp() / 1024.0 / n,
                    round.bytesDown() / 1024.0 / n, 8.0 * length / 1024, plainMs, exact ? "yes" : "NO");
        }
    }
}
