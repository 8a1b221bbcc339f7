-- Saved payment methods and autopay (issue 19). A payment method row (0002's
-- `payment_methods`) keeps only the processor's id and what the portal shows (brand,
-- last 4, expiry): never card data. Autopay is on for an account when its default
-- method has `autopay` set.

-- The processor's customer an account's methods are saved to, one per processor.
CREATE TABLE processor_customers (
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    processor               TEXT NOT NULL,
    processor_customer_id   TEXT NOT NULL,
    created_at              TEXT NOT NULL,
    PRIMARY KEY (company_id, customer_id, processor)
);

-- A hosted page opened for saving a method (Checkout in setup mode). It completes once,
-- from the processor's verified webhook (`checkout.session.completed`, mode setup).
CREATE TABLE method_setups (
    id                      INTEGER PRIMARY KEY,
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    contact_id              INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    processor               TEXT NOT NULL CHECK (processor IN ('test', 'stripe')),
    reference               TEXT NOT NULL UNIQUE,
    processor_customer_id   TEXT NOT NULL,
    processor_session_id    TEXT UNIQUE,
    status                  TEXT NOT NULL CHECK (status IN ('open', 'complete', 'failed')),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX method_setups_customer ON method_setups(company_id, customer_id, created_at);

-- A processor's method is saved once per company (a repeated webhook adds nothing).
CREATE UNIQUE INDEX payment_methods_processor_ref ON payment_methods(company_id, processor, processor_ref);

-- One autopay charge per invoice and due date: the unique key is the claim, so two
-- server processes sweeping at once charge an invoice once.
CREATE TABLE autopay_charges (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    invoice_id          INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    due_on              TEXT NOT NULL,
    payment_method_id   INTEGER REFERENCES payment_methods(id) ON DELETE SET NULL,
    method_label        TEXT NOT NULL DEFAULT '',
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    status              TEXT NOT NULL CHECK (status IN ('charging', 'paid', 'failed')),
    failure             TEXT NOT NULL DEFAULT '',
    processor_ref       TEXT,
    payment_id          INTEGER REFERENCES payments(id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (company_id, invoice_id, due_on)
);
CREATE INDEX autopay_charges_status ON autopay_charges(company_id, status, updated_at, id);
CREATE INDEX invoices_unpaid_due ON invoices(due_on) WHERE status = 'unpaid';
