-- The portal's job search and histories.
--
-- Full text over a job's own words (number, summary, description) in an FTS5 index kept
-- in step with `jobs` by triggers. Contentless (`jobs` holds the text): the index stores
-- only postings. Each job also carries its account as one token in `scope`, so a search
-- intersects the account's postings with the words' instead of gathering every company's
-- matches first: with a million jobs, "leak" may match a hundred thousand of them.
-- A job's location is searched through its account's few sites.

CREATE VIRTUAL TABLE jobs_fts USING fts5(
    scope, number, summary, description,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO jobs_fts (rowid, scope, number, summary, description)
SELECT id, 'c' || customer_id, number, summary, description FROM jobs;

CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts (rowid, scope, number, summary, description)
    VALUES (NEW.id, 'c' || NEW.customer_id, NEW.number, NEW.summary, NEW.description);
END;

CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, scope, number, summary, description)
    VALUES ('delete', OLD.id, 'c' || OLD.customer_id, OLD.number, OLD.summary, OLD.description);
END;

CREATE TRIGGER jobs_fts_update AFTER UPDATE OF customer_id, number, summary, description ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, scope, number, summary, description)
    VALUES ('delete', OLD.id, 'c' || OLD.customer_id, OLD.number, OLD.summary, OLD.description);
    INSERT INTO jobs_fts (rowid, scope, number, summary, description)
    VALUES (NEW.id, 'c' || NEW.customer_id, NEW.number, NEW.summary, NEW.description);
END;

-- Service and sales history: an account's finished jobs of one kind, by date.
CREATE INDEX jobs_customer_kind_status_date ON jobs(company_id, customer_id, kind, status, job_date, id);
