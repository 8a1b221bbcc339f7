-- PostgreSQL's 0012 adds a per-account word table for newest-first whole-word search. SQLite's
-- FTS5 index (0011) already holds the account's token beside each job's words and returns
-- matches by id; this file keeps the two migration lists in step.
SELECT 1;
