-- The portal's job search and histories.
--
-- Full text over a job's own words (number, summary, description): a stored tsvector
-- ('simple': job words are names and numbers, not English prose to stem) in a GIN index
-- that also holds the account (btree_gin), so one account's search reads only its own
-- postings instead of every company's. A job's location is searched through its
-- account's few sites.

CREATE EXTENSION IF NOT EXISTS btree_gin;

-- Punctuation becomes space first, so "J-1042" is the words "j" and "1042" as in the
-- query (the parser would otherwise read "-1042" as a negative number).
ALTER TABLE jobs ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', regexp_replace(number || ' ' || summary || ' ' || description, '[^[:alnum:]]+', ' ', 'g'))
) STORED;

CREATE INDEX jobs_search ON jobs USING GIN (customer_id, search);

-- Service and sales history: an account's finished jobs of one kind, by date.
CREATE INDEX jobs_customer_kind_status_date ON jobs(company_id, customer_id, kind, status, job_date, id);
