-- The job search index returns its matches in list order. Each job's row in `jobs_fts` is
-- keyed by its place in the list, (job_date, id) packed into one integer:
--
--     (unixepoch(job_date) - 2^31) * 2^31 + id
--
-- so FTS5 reads an account's newest matches from the top of its index and a page stops
-- after the rows it shows. Keyed by id, a search fetched every match of the account (382 for
-- a word found in one job of 26) to sort them by date (docs/benchmarks.md). The low 31 bits
-- are the job's id (`rowid & 2147483647`); the key covers dates from 1970 to 2106 and ids
-- from 1 to 2^31 - 1, and a job outside that range is refused rather than indexed wrongly.
-- Rebuilt from `jobs`; the update trigger now also follows `job_date`.

DROP TRIGGER jobs_fts_insert;
DROP TRIGGER jobs_fts_delete;
DROP TRIGGER jobs_fts_update;
DROP TABLE jobs_fts;

CREATE VIRTUAL TABLE jobs_fts USING fts5(
    scope, number, summary, description,
    content = '',
    detail = column,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO jobs_fts (rowid, scope, number, summary, description)
SELECT (unixepoch(job_date) - 2147483648) * 2147483648 + id,
       'c' || customer_id, number, summary, description
  FROM jobs;

CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    SELECT RAISE(ABORT, 'job id or date outside the search index''s range')
     WHERE NEW.id NOT BETWEEN 1 AND 2147483647
        OR unixepoch(NEW.job_date) IS NULL
        OR unixepoch(NEW.job_date) NOT BETWEEN 0 AND 4294967295;
    INSERT INTO jobs_fts (rowid, scope, number, summary, description)
    VALUES ((unixepoch(NEW.job_date) - 2147483648) * 2147483648 + NEW.id,
            'c' || NEW.customer_id, NEW.number, NEW.summary, NEW.description);
END;

CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts (jobs_fts, rowid, scope, number, summary, description)
    VALUES ('delete', (unixepoch(OLD.job_date) - 2147483648) * 2147483648 + OLD.id,
            'c' || OLD.customer_id, OLD.number, OLD.summary, OLD.description);
END;

CREATE TRIGGER jobs_fts_update
AFTER UPDATE OF customer_id, number, summary, description, job_date ON jobs BEGIN
    SELECT RAISE(ABORT, 'job date outside the search index''s range')
     WHERE unixepoch(NEW.job_date) IS NULL
        OR unixepoch(NEW.job_date) NOT BETWEEN 0 AND 4294967295;
    INSERT INTO jobs_fts (jobs_fts, rowid, scope, number, summary, description)
    VALUES ('delete', (unixepoch(OLD.job_date) - 2147483648) * 2147483648 + OLD.id,
            'c' || OLD.customer_id, OLD.number, OLD.summary, OLD.description);
    INSERT INTO jobs_fts (rowid, scope, number, summary, description)
    VALUES ((unixepoch(NEW.job_date) - 2147483648) * 2147483648 + NEW.id,
            'c' || NEW.customer_id, NEW.number, NEW.summary, NEW.description);
END;
