-- Issue 20 (api-billing): the API lists invoices and payments by change time, and finds an
-- invoice by the id another system gave it (one per company).
CREATE UNIQUE INDEX invoices_external_ref ON invoices(company_id, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX invoices_updated ON invoices(company_id, updated_at, id);
CREATE INDEX payments_created ON payments(company_id, created_at, id);
