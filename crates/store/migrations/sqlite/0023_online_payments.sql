-- Online payments (issue 19). Each company's processor: none, the built-in test
-- processor, or Stripe with its secret key and webhook signing secret sealed under the
-- instance's key (app::crypto::secret_box); whether customers may pay part of an
-- invoice, and whether US bank accounts (ACH) are offered besides cards.
CREATE TABLE payment_settings (
    company_id              INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    processor               TEXT NOT NULL DEFAULT 'none' CHECK (processor IN ('none', 'test', 'stripe')),
    stripe_secret_sealed    TEXT,
    webhook_secret_sealed   TEXT,
    allow_partial           INTEGER NOT NULL DEFAULT 0,
    ach_enabled             INTEGER NOT NULL DEFAULT 0,
    updated_at              TEXT NOT NULL
);

-- A hosted checkout page opened for paying invoices. `reference` is Doorstep's own
-- (the processor's client reference and idempotency key); `processor_session_id` is
-- set once the processor answered. `credit_minor` of the account's credit is applied
-- first; the processor charges `amount_minor - credit_minor`.
CREATE TABLE checkout_sessions (
    id                      INTEGER PRIMARY KEY,
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    contact_id              INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    processor               TEXT NOT NULL CHECK (processor IN ('test', 'stripe')),
    reference               TEXT NOT NULL UNIQUE,
    processor_session_id    TEXT UNIQUE,
    url                     TEXT,
    amount_minor            INTEGER NOT NULL CHECK (amount_minor > 0),
    credit_minor            INTEGER NOT NULL DEFAULT 0 CHECK (credit_minor >= 0),
    currency                TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'expired')),
    failure                 TEXT NOT NULL DEFAULT '',
    payment_id              INTEGER REFERENCES payments(id) ON DELETE SET NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX checkout_sessions_customer ON checkout_sessions(company_id, customer_id, created_at, id);
CREATE INDEX checkout_sessions_open ON checkout_sessions(company_id, status, created_at);

-- The invoices of a checkout and the amount of each. `open_invoice_id` is the invoice's
-- id while its checkout is open and NULL after: its unique index is what refuses a
-- second tab opening a checkout for the same invoice.
CREATE TABLE checkout_session_invoices (
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    checkout_id     INTEGER NOT NULL REFERENCES checkout_sessions(id) ON DELETE CASCADE,
    invoice_id      INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    position        INTEGER NOT NULL,
    open_invoice_id INTEGER,
    PRIMARY KEY (checkout_id, invoice_id)
);
CREATE UNIQUE INDEX checkout_session_invoices_open ON checkout_session_invoices(company_id, open_invoice_id);
CREATE INDEX checkout_session_invoices_invoice ON checkout_session_invoices(company_id, invoice_id);

-- What a processor refunded of an online payment so far (the refund webhook gives the
-- running total, so a repeated one changes nothing).
ALTER TABLE payments ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
