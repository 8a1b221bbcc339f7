-- The portal's guided request form keeps its answers server-side, so a reload or the back
-- button loses nothing; the random key in the URL is also the submit's idempotency key.
CREATE TABLE request_drafts (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    draft_key           TEXT NOT NULL,
    login_id            INTEGER NOT NULL REFERENCES portal_logins(id) ON DELETE CASCADE,
    contact_id          INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    customer_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    answers             TEXT NOT NULL DEFAULT '{}',
    submitted_at        TEXT,
    service_request_id  INTEGER REFERENCES service_requests(id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (company_id, draft_key)
);
CREATE INDEX request_drafts_login ON request_drafts(company_id, login_id, customer_id);

-- Photos added to a draft; they become attachments of the request when it is submitted.
CREATE TABLE request_draft_photos (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    draft_id        INTEGER NOT NULL REFERENCES request_drafts(id) ON DELETE CASCADE,
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    storage_key     TEXT NOT NULL UNIQUE,
    thumb_key       TEXT,
    width           INTEGER,
    height          INTEGER,
    created_at      TEXT NOT NULL
);
CREATE INDEX request_draft_photos_draft ON request_draft_photos(company_id, draft_id, id);

-- The last number handed out per company and kind ('R' requests, 'E' estimates); the row
-- is updated first in a submit, so concurrent submits take numbers one after another.
CREATE TABLE number_counters (
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    last_value      INTEGER NOT NULL,
    PRIMARY KEY (company_id, kind)
);
