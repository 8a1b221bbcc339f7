-- The last TOTP time step accepted per login and staff member, so a code cannot be replayed.
ALTER TABLE portal_logins ADD COLUMN totp_last_step BIGINT;
ALTER TABLE staff_users ADD COLUMN totp_last_step BIGINT;
