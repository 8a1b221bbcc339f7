-- The last number handed out per company and prefix (J- jobs, E- estimates), so the office
-- numbers a new document with one row lock instead of scanning every number it has used.
-- A row is made on first use from the highest number already present.
CREATE TABLE number_sequences (
    company_id  BIGINT NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    prefix      TEXT NOT NULL,
    last_value  BIGINT NOT NULL,
    PRIMARY KEY (company_id, prefix)
);

-- The office inbox with no status ticked lists every request, newest first.
CREATE INDEX service_requests_recent ON service_requests(company_id, created_at, id);
