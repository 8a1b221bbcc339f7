-- Issue 15: the office's note on a time it proposes for a request, shown in the portal
-- where the customer accepts or declines it (until now only in the email).
ALTER TABLE service_requests ADD COLUMN proposal_note TEXT NOT NULL DEFAULT '';
