-- The JSON API (issue 20): what an API key may do, and the customers list by change time.
-- `scopes` is 'read' or 'read write'; a key made before this migration (none was ever
-- made: nothing created one) reads only.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read';
-- Who revoked a key, for the office list.
ALTER TABLE api_keys ADD COLUMN revoked_by_staff_id BIGINT REFERENCES staff_users(id) ON DELETE SET NULL;
-- The API's customer list walks (updated_at, id) with `updated_since`.
CREATE INDEX customers_company_updated ON customers(company_id, updated_at, id);
