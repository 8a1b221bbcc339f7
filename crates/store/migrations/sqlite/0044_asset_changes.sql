-- Issue 20 (api-assets): the office edits assets and their maintenance, and the API lists
-- both by change time. A retired asset keeps its history (jobs and requests point at it)
-- but leaves the portal, so it is marked, never deleted.
ALTER TABLE assets ADD COLUMN retired_at TEXT;
ALTER TABLE maintenance_schedules ADD COLUMN updated_at TEXT;
UPDATE maintenance_schedules SET updated_at = created_at;
CREATE INDEX assets_updated ON assets(company_id, updated_at, id);
CREATE INDEX assets_customer_updated ON assets(company_id, customer_id, updated_at, id);
CREATE INDEX maintenance_updated ON maintenance_schedules(company_id, asset_id, updated_at, id);
