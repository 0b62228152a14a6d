-- The coordinator's global memory (PostgreSQL). SQLite's V1 has the same tables and columns.

-- One row per stored insight. Ids come from an identity column and are taken while the domain's
-- counter row is locked, so within a domain a smaller id is an older insight.
CREATE TABLE insights (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain      TEXT    NOT NULL,
    client      TEXT    NOT NULL, -- hex SHA-256(salt || client id); never the client id itself
    round       INTEGER NOT NULL,
    received_at BIGINT  NOT NULL, -- epoch milliseconds
    payload     TEXT    NOT NULL  -- the insight as JSON, with the client's pseudonym
);
CREATE INDEX insights_domain_id ON insights (domain, id);
CREATE INDEX insights_client ON insights (client);
CREATE INDEX insights_round ON insights (round);

-- Per domain: insights stored now, accepted ever, trimmed ever (stored = accepted - trimmed). Writers of
-- a domain update its row first, which serialises them and makes the bound exact.
CREATE TABLE domain_counts (
    domain   TEXT   PRIMARY KEY,
    stored   BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    trimmed  BIGINT NOT NULL
);

-- Secrets of this store, e.g. the salt of client pseudonyms (hex). Never copied into insights or logs.
CREATE TABLE coordinator_secret (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
