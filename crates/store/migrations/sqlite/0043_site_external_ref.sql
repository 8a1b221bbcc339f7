-- Issue 18: a site imported from a CSV file keeps its id in the other system, so importing the
-- same file again updates the site instead of adding it twice (as customers, jobs and invoices do).
ALTER TABLE sites ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX sites_external_ref ON sites(company_id, external_ref)
    WHERE external_ref IS NOT NULL;
