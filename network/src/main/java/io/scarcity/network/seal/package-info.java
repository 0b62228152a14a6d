/**
 * Sealed gossip: the cryptography that lets two client hosts exchange expert states through the coordinator
 * without the coordinator being able to read them. Each host makes an X25519 key pair per connection
 * ({@link io.scarcity.network.seal.GossipKeys}) and, with mutual TLS, signs the public key with its TLS key
 * ({@link io.scarcity.network.seal.HostIdentity}), so that a peer can check it belongs to a host enrolled by the
 * federation's CA; a state is sealed with AES-256-GCM under a key derived from the two hosts' X25519 agreement
 * by HKDF-SHA256, bound to the run, round, pair, expert and direction ({@link io.scarcity.network.seal.Seal},
 * {@link io.scarcity.network.seal.SealContext}). JDK algorithms only (XDH, HmacSHA256, AES/GCM); certificate
 * chains are checked with the JDK's PKIX validator.
 */
package io.scarcity.network.seal;
