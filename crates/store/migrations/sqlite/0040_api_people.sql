-- Issue 20 (api-people): a contact carries the id another system gave it (one per company;
-- the upsert `PUT /api/v1/contacts/external/{ref}` finds the contact by it), and the API
-- lists contacts and sites by change time, company-wide or per customer.
ALTER TABLE contacts ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX contacts_external_ref ON contacts(company_id, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX contacts_updated ON contacts(company_id, updated_at, id);
CREATE INDEX contacts_customer_updated ON contacts(company_id, customer_id, updated_at, id);
CREATE INDEX sites_updated ON sites(company_id, updated_at, id);
CREATE INDEX sites_customer_updated ON sites(company_id, customer_id, updated_at, id);
