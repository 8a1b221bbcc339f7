-- Issue 18: an import's progress lives in its row, so any node shows it and a reload keeps it.
-- `updated_at` is the running job's heartbeat (its lease): a queued or running import whose
-- heartbeat is older than the lease was left by a node that stopped, and shows as Stopped.
-- `file_key` names the kept file (`{data_dir}/imports/{file_key}.csv`) so it can be started again.
-- `mapping` is how the file's columns are read (the mapping page's choice), NULL for by their headers.
ALTER TABLE imports ADD COLUMN updated_at TIMESTAMPTZ;
ALTER TABLE imports ADD COLUMN file_key TEXT;
ALTER TABLE imports ADD COLUMN mapping TEXT;
