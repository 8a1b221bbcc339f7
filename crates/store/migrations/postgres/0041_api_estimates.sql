-- Issue 20 (api-estimates): the API lists estimates and catalogue items by change time,
-- and finds an estimate by the id another system gave it (one per company).
CREATE UNIQUE INDEX estimates_external_ref ON estimates(company_id, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX estimates_updated ON estimates(company_id, updated_at, id);
CREATE INDEX catalogue_items_updated ON catalogue_items(company_id, updated_at, id);
