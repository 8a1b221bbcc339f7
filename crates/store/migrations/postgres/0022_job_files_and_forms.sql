-- Issue 17: job photos and documents (each visible to the customer or not) and job forms
-- (checklists) kept by the office.

-- Whether the customer sees the file on their job page; files from before this (the demo's)
-- were shown to the customer, so they stay visible.
ALTER TABLE attachments ADD COLUMN customer_visible BOOLEAN NOT NULL DEFAULT TRUE;
-- The office member who added the file (none for files customers sent or the demo made).
ALTER TABLE attachments ADD COLUMN added_by_staff_id BIGINT REFERENCES staff_users(id) ON DELETE SET NULL;
-- When the office removed it: kept for the history, shown to nobody.
ALTER TABLE attachments ADD COLUMN removed_at TIMESTAMPTZ;

-- A checklist's note, who created it, and who completed it.
ALTER TABLE job_forms ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE job_forms ADD COLUMN created_by_staff_id BIGINT REFERENCES staff_users(id) ON DELETE SET NULL;
ALTER TABLE job_forms ADD COLUMN completed_by_staff_id BIGINT REFERENCES staff_users(id) ON DELETE SET NULL;
