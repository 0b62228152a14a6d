package io.scarcity.runtime.engine;

import java.util.List;
import java.util.Objects;

/**
 * Each client's accuracy on every task's held-out rows after a segment of a task stream was learned: the
 * parts of a {@link TaskEvaluation} before they are averaged over the domain's clients. A fleet holding
 * some of a domain's clients (a host) reports these; the coordinator adds up the clients of all hosts in
 * client order, which gives the in-process average bit for bit.
 *
 * @param segment index of the segment just completed in the schedule (0-based)
 * @param task the task of that segment
 * @param clients the clients scored, in run order
 * @param accuracy per client (in {@code clients}' order), accuracy per task id ({@code NaN}: the task has no test rows)
 */
public record TaskScores(String domain, int segment, int task, List<String> clients, double[][] accuracy) {
    public TaskScores {
        Objects.requireNonNull(domain, "domain is null");
        clients = List.copyOf(clients);
        if (accuracy.length != clients.size()) {
            throw new IllegalArgumentException(accuracy.length + " rows of accuracy for " + clients.size() + " clients");
        }
    }

    /**
     * The evaluation after {@code round}: for each task the sum of the clients' accuracies, in order,
     * divided by {@code clientsOfDomain} (the domain's clients that were evaluated).
     */
    public TaskEvaluation evaluation(int round, int clientsOfDomain) {
        int tasks = accuracy.length == 0 ? 0 : accuracy[0].length;
        double[] mean = new double[tasks];
        for (int t = 0; t < tasks; t++) {
            double sum = 0;
            for (double[] client : accuracy) {
                sum += client[t];
            }
            mean[t] = sum / clientsOfDomain;
        }
        return new TaskEvaluation(domain, round, segment, task, mean);
    }
}
