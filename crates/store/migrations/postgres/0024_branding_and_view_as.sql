-- Issue 18: branding, the onboarding checklist and viewing the portal as a contact.

-- The text colour drawn on the brand colour; empty: black or white, whichever reads better.
ALTER TABLE companies ADD COLUMN brand_text TEXT NOT NULL DEFAULT '';

-- When an administrator dismissed the office home's setup checklist.
ALTER TABLE companies ADD COLUMN onboarding_dismissed_at TIMESTAMPTZ;

-- A staff session viewing the portal as this contact (read only); NULL otherwise.
ALTER TABLE sessions ADD COLUMN viewing_contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL;
