-- SQLite's 0013 keys its job search index by list place (date, id). PostgreSQL's word table
-- (0012) is already in list order; this file keeps the two migration lists in step.
SELECT 1;
