package io.scarcity.runtime.config;

import io.scarcity.api.ConfigException;

/**
 * The coordinator's tamper-evident audit log ({@code privacy.audit}; see {@code docs/privacy.md}).
 *
 * @param enabled whether the run writes {@code audit.jsonl} (default true)
 * @param key the coordinator's Ed25519 private key (PKCS#8 PEM), relative to the config's folder; with it,
 *        {@code publicKey} too. Without both, each run makes a key pair of its own and keeps it in the run folder
 *        ({@code audit.key}, readable by its owner only, and {@code audit.pub}), which shows a log intact against itself
 *        only: to detect someone who can write the run folder, keep the key elsewhere and verify with the public key
 *        kept apart ({@code scarcity audit verify RUN_DIR --key coordinator.pub})
 * @param publicKey the public key of {@code key} (PEM), which is written into the log's first entry
 */
public record AuditConfig(Boolean enabled, String key, String publicKey) {
    public AuditConfig {
        enabled = enabled == null || enabled;
        if ((key == null) != (publicKey == null)) {
            String missing = key == null ? "key" : "publicKey";
            throw new ConfigException(missing, "missing: the audit log's signing key is given as a pair, key (the private"
                    + " key, PKCS#8 PEM, e.g. from openssl genpkey -algorithm ed25519) and publicKey (openssl pkey -pubout);"
                    + " give both, or neither for a key pair made for the run");
        }
        if (key != null && key.isBlank() || publicKey != null && publicKey.isBlank()) {
            throw new ConfigException(key != null && key.isBlank() ? "key" : "publicKey", "expected a file path, got an empty one");
        }
        if (!enabled && key != null) {
            throw new ConfigException("key", "applies only with enabled: true; remove it or enable the audit log");
        }
    }

    public static final AuditConfig DEFAULT = new AuditConfig(true, null, null);
}
