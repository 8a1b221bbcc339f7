-- Issue 17: the office runs its customer book from nothing. Customers gain tax exemption,
-- their own payment terms (NULL = the company's), a second phone and a deactivation time
-- (never deleted: history keeps them); contacts gain a deactivation time.
ALTER TABLE customers ADD COLUMN tax_exempt BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE customers ADD COLUMN payment_terms_days BIGINT;
ALTER TABLE customers ADD COLUMN mobile_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN deactivated_at TIMESTAMPTZ;
ALTER TABLE contacts ADD COLUMN deactivated_at TIMESTAMPTZ;

-- One external reference per customer per company (several customers may have none).
CREATE UNIQUE INDEX customers_external_ref ON customers(company_id, external_ref)
    WHERE external_ref IS NOT NULL;

-- The office customer list and its search: by name ignoring letter case in byte order
-- (a name prefix is a range of this index whatever the database's collation, keyset on
-- (lower(name), id)), and by email prefix. The number is found through the unique
-- (company_id, number) index.
CREATE INDEX customers_company_lower_name ON customers(company_id, (lower(name) COLLATE "C"), id);
CREATE INDEX customers_company_email ON customers(company_id, (email COLLATE "C"), id);

-- What customers did in the portal: the office home's feed (every contact's actions,
-- newest first) and a customer's timeline (its contacts' and logins' actions).
CREATE INDEX audit_events_portal ON audit_events(company_id, created_at, id)
    WHERE actor_kind = 'contact';
CREATE INDEX audit_events_portal_actor ON audit_events(company_id, actor_id, created_at, id)
    WHERE actor_kind = 'contact';

-- The office home: estimates awaiting the customer and overdue invoices, company-wide.
CREATE INDEX estimates_company_status ON estimates(company_id, status, issued_on, id);
CREATE INDEX invoices_company_status_due ON invoices(company_id, status, due_on, id);
