-- The JSON API's jobs (issue 20): a job's id in another system is unique per company
-- (the upsert `PUT /api/v1/jobs/external/{ref}` finds the job by it), and the API's job
-- list walks (updated_at, id) per customer and per status (`jobs_updated` serves the
-- unfiltered list).
CREATE UNIQUE INDEX jobs_external_ref ON jobs(company_id, external_ref)
    WHERE external_ref IS NOT NULL;
CREATE INDEX jobs_customer_updated ON jobs(company_id, customer_id, updated_at, id);
CREATE INDEX jobs_status_updated ON jobs(company_id, status, updated_at, id);
