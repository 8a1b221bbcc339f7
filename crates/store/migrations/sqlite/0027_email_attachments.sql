-- Issue 17: an email's attachments (the invoice PDF of "invoice sent"), written in the
-- transaction that queues the email, so what the worker sends is what was committed.
CREATE TABLE email_attachments (
    id           INTEGER PRIMARY KEY,
    company_id   INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    outbox_id    INTEGER NOT NULL REFERENCES email_outbox(id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BLOB NOT NULL
);
CREATE INDEX email_attachments_outbox ON email_attachments(outbox_id, id);
