-- SQLite's 0011 rebuilds its FTS5 job search index without word positions. PostgreSQL's
-- `tsvector` index (0004) needs no change; this file keeps the two migration lists in step.
SELECT 1;
