-- The coordinator's global memory (SQLite). PostgreSQL's V1 has the same tables and columns.

-- One row per stored insight. AUTOINCREMENT: ids are never reused, so within a domain a smaller id is
-- an older insight even after the oldest rows were trimmed.
CREATE TABLE insights (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    domain      TEXT    NOT NULL,
    client      TEXT    NOT NULL, -- hex SHA-256(salt || client id); never the client id itself
    round       INTEGER NOT NULL,
    received_at INTEGER NOT NULL, -- epoch milliseconds
    payload     TEXT    NOT NULL  -- the insight as JSON, with the client's pseudonym
);
CREATE INDEX insights_domain_id ON insights (domain, id);
CREATE INDEX insights_client ON insights (client);
CREATE INDEX insights_round ON insights (round);

-- Per domain: insights stored now, accepted ever, trimmed ever (stored = accepted - trimmed). Writers of
-- a domain update its row first, which serialises them and makes the bound exact.
CREATE TABLE domain_counts (
    domain   TEXT    PRIMARY KEY,
    stored   INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    trimmed  INTEGER NOT NULL
);

-- Secrets of this store, e.g. the salt of client pseudonyms (hex). Never copied into insights or logs.
CREATE TABLE coordinator_secret (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
