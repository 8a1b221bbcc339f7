-- Customers move or cancel scheduled visits themselves (issue 5).
-- The window a job's visit holds capacity in, so moving or cancelling it gives the room back.
ALTER TABLE jobs ADD COLUMN availability_window_id BIGINT REFERENCES availability_windows(id) ON DELETE SET NULL;
-- A move asked for a date (no window published): the office confirms it.
ALTER TABLE jobs ADD COLUMN reschedule_requested_date DATE;
ALTER TABLE jobs ADD COLUMN reschedule_requested_schedule_type TEXT CHECK (reschedule_requested_schedule_type IN ('am', 'pm', 'all_day', 'exact'));
ALTER TABLE jobs ADD COLUMN reschedule_requested_at TIMESTAMPTZ;
-- Why and when the customer cancelled.
ALTER TABLE jobs ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN cancelled_at TIMESTAMPTZ;
CREATE INDEX jobs_window ON jobs(company_id, availability_window_id);
-- Upcoming windows in date order.
CREATE INDEX availability_windows_date ON availability_windows(company_id, window_date, id);
