-- The office prices work: a document-level discount (minor units, taken off before tax)
-- on jobs, estimates and invoices; the estimate's notes; when a document was sent; why an
-- invoice was voided; the company's tax rates the line editor offers; and the indexes the
-- office's estimate and invoice lists read (all statuses or one, newest first; overdue by
-- due date).
ALTER TABLE jobs ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE estimates ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE estimates ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE estimates ADD COLUMN sent_at TEXT;
ALTER TABLE invoices ADD COLUMN sent_at TEXT;
ALTER TABLE invoices ADD COLUMN void_reason TEXT NOT NULL DEFAULT '';

CREATE TABLE tax_rates (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    rate_bp     INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (company_id, name)
);

CREATE INDEX estimates_office ON estimates(company_id, issued_on, id);
CREATE INDEX estimates_office_status ON estimates(company_id, status, issued_on, id);
CREATE INDEX invoices_office ON invoices(company_id, issued_on, id);
CREATE INDEX invoices_office_status ON invoices(company_id, status, issued_on, id);
CREATE INDEX invoices_office_due ON invoices(company_id, status, due_on, id);
