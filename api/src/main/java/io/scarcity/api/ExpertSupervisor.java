package io.scarcity.api;

/**
 * An expert that steers the other experts of its client rather than (or besides) predicting: it scales
 * their learning rates, freezes and unfreezes them, sets elastic-weight-consolidation penalties and
 * replays remembered rows into them. The meta-adaptation and memory-consolidation experts are such
 * experts. The runtime calls {@link #supervise} after every batch, once every expert has learned from
 * it and the memory has observed it, in config order of the supervisors.
 *
 * <p>Called from the client's thread only, like the expert itself. What it changes in other experts
 * (scales, penalties) is their state and checkpointed with them; which experts are frozen is the
 * runtime's and checkpointed with the client.
 */
public interface ExpertSupervisor {
    /**
     * Looks at the batch just learned and adjusts the client's experts.
     *
     * @param client the client's other experts, never {@code null}; valid during this call only
     */
    void supervise(SupervisedClient client);
}
