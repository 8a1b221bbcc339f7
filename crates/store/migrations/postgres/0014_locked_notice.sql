-- Issue 14, point 7: a locked login answers the right password like a wrong one, and
-- the contact is emailed (at most once a day) whom to call. When that email was last
-- queued; cleared whenever the office locks or unlocks the login.
ALTER TABLE portal_logins ADD COLUMN locked_notice_at TIMESTAMPTZ;
