-- Issue 18: custom domains and document number prefixes.

-- What new estimate, invoice and job numbers start with (E-1043, INV-1043, WO-1043);
-- numbers already given keep theirs.
ALTER TABLE companies ADD COLUMN estimate_prefix TEXT NOT NULL DEFAULT 'E-';
ALTER TABLE companies ADD COLUMN invoice_prefix TEXT NOT NULL DEFAULT 'I-';
ALTER TABLE companies ADD COLUMN job_prefix TEXT NOT NULL DEFAULT 'J-';

-- A company's custom domains listed in the order they were added (the domain itself is
-- unique across companies since 0001).
CREATE INDEX company_domains_listed ON company_domains(company_id, created_at, id);

-- The central sign-in page finds an email's portals across companies.
CREATE INDEX portal_logins_email ON portal_logins(email);
