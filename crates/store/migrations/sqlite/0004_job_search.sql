-- The portal's job search and histories.
--
-- Full text over a job's own words (number, summary, description) in an FTS5 index kept
-- in step with `jobs` by triggers; `jobs` itself holds the text (external content), so
-- nothing is stored twice. A job's location is searched through its account's few sites.

CREATE VIRTUAL TABLE jobs_fts USING fts5(
    number, summary, description,
    content = 'jobs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO jobs_fts (jobs_fts) VALUES ('rebuild');

CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts (rowid, number, summary, description)
    VALUES (NEW.id, NEW.number, NEW.summary, NEW.description);
END;

CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, number, summary, description)
    VALUES ('delete', OLD.id, OLD.number, OLD.summary, OLD.description);
END;

CREATE TRIGGER jobs_fts_update AFTER UPDATE OF number, summary, description ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, number, summary, description)
    VALUES ('delete', OLD.id, OLD.number, OLD.summary, OLD.description);
    INSERT INTO jobs_fts (rowid, number, summary, description)
    VALUES (NEW.id, NEW.number, NEW.summary, NEW.description);
END;

-- Service and sales history: an account's finished jobs of one kind, by date.
CREATE INDEX jobs_customer_kind_status_date ON jobs(company_id, customer_id, kind, status, job_date, id);
