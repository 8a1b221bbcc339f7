-- What leaves and enters the system: email outbox, webhooks, API keys, idempotency,
-- email templates, and the audit log.

CREATE TABLE email_templates (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (company_id, kind)
);

-- The only way email leaves: written in the same transaction as what caused it.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    to_name         TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_at         TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox(status, next_attempt_at);
CREATE INDEX email_outbox_company ON email_outbox(company_id, created_at, id);

CREATE TABLE webhook_endpoints (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    events      TEXT NOT NULL DEFAULT '*',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_company ON webhook_endpoints(company_id);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    response_status INTEGER,
    last_error      TEXT NOT NULL DEFAULT '',
    delivered_at    TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_company ON webhook_deliveries(company_id, created_at, id);

-- API keys: only a hash is kept; the prefix lets staff tell keys apart.
CREATE TABLE api_keys (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    prefix              TEXT NOT NULL,
    key_hash            TEXT NOT NULL UNIQUE,
    created_by_staff_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    last_used_at        TEXT,
    revoked_at          TEXT,
    created_at          TEXT NOT NULL
);
CREATE INDEX api_keys_company ON api_keys(company_id);

CREATE TABLE idempotency_keys (
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    idem_key        TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    response_status INTEGER,
    response_body   TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (company_id, idem_key)
);

CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('staff', 'contact', 'api', 'system')),
    actor_id        INTEGER,
    actor_label     TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    subject_kind    TEXT NOT NULL DEFAULT '',
    subject_id      INTEGER,
    ip              TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL
);
CREATE INDEX audit_events_company ON audit_events(company_id, created_at, id);

CREATE TABLE import_runs (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
    rows_total      INTEGER NOT NULL DEFAULT 0,
    rows_done       INTEGER NOT NULL DEFAULT 0,
    errors          TEXT NOT NULL DEFAULT '[]',
    created_by_staff_id INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX import_runs_company ON import_runs(company_id, created_at);
