-- Issue 18: CSV imports (customers for now: `kind`). One row per import started in the office; the job that
-- runs it in the background records how far it got and, when it refused the file, why.

CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    staff_user_id   INTEGER NOT NULL REFERENCES staff_users(id),
    kind            TEXT NOT NULL DEFAULT 'customers',
    file_name       TEXT NOT NULL,
    -- queued, running, done or failed.
    status          TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    total           INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    created         INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    -- JSON list of {row, field, message} when the file was refused; empty otherwise.
    errors          TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX imports_company ON imports(company_id, id);
