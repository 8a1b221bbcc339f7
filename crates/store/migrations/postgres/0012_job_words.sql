-- Whole-word job search on PostgreSQL, newest first, reading only the rows a page shows.
--
-- The tsvector GIN index (0004) finds an account's matches, but a page wants the newest fifty
-- of them: PostgreSQL either walked the account's jobs by date testing each one's words
-- (1,200 rows for a word found in one job of 26) or fetched every match to sort them. Here
-- each of a job's words is a row keyed (account, word, date, job), so a word's newest matches
-- are one backward index range, like the plain list's. The search still checks the job's
-- own row (account, words), so this table decides order, never who sees what.
--
-- Kept by statement-level triggers (set-based, so bulk loads insert words per statement, not
-- per row). Without a foreign key: deleting a job removes its words through the same index.

CREATE TABLE job_words (
    customer_id BIGINT NOT NULL,
    word        TEXT NOT NULL,
    job_date    TIMESTAMPTZ NOT NULL,
    job_id      BIGINT NOT NULL,
    PRIMARY KEY (customer_id, word, job_date, job_id)
);

CREATE FUNCTION job_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_words (customer_id, word, job_date, job_id)
    SELECT n.customer_id, w, n.job_date, n.id
      FROM added n, unnest(tsvector_to_array(n.search)) AS w;
    RETURN NULL;
END $$;

CREATE FUNCTION job_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Most updates (status, notes) touch none of the keyed columns and cost one join here.
    DELETE FROM job_words w
     USING before_rows o JOIN after_rows n ON n.id = o.id
     WHERE (o.customer_id, o.job_date, o.search) IS DISTINCT FROM (n.customer_id, n.job_date, n.search)
       AND w.customer_id = o.customer_id AND w.word = ANY (tsvector_to_array(o.search))
       AND w.job_date = o.job_date AND w.job_id = o.id;
    INSERT INTO job_words (customer_id, word, job_date, job_id)
    SELECT n.customer_id, w, n.job_date, n.id
      FROM before_rows o JOIN after_rows n ON n.id = o.id, unnest(tsvector_to_array(n.search)) AS w
     WHERE (o.customer_id, o.job_date, o.search) IS DISTINCT FROM (n.customer_id, n.job_date, n.search);
    RETURN NULL;
END $$;

CREATE FUNCTION job_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_words w
     USING removed o
     WHERE w.customer_id = o.customer_id AND w.word = ANY (tsvector_to_array(o.search))
       AND w.job_date = o.job_date AND w.job_id = o.id;
    RETURN NULL;
END $$;

CREATE TRIGGER job_words_insert AFTER INSERT ON jobs
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION job_words_added();
CREATE TRIGGER job_words_update AFTER UPDATE ON jobs
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION job_words_changed();
CREATE TRIGGER job_words_delete AFTER DELETE ON jobs
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION job_words_removed();

INSERT INTO job_words (customer_id, word, job_date, job_id)
SELECT j.customer_id, w, j.job_date, j.id FROM jobs j, unnest(tsvector_to_array(j.search)) AS w;
