-- Issue 17, jobs: the office runs its jobs. Each status move is recorded with its time and
-- who made it (the job page's timeline, and what the portal's live stream reads: every
-- node polls these rows, so a move made on one node reaches customers on all of them).
CREATE TABLE job_status_changes (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    job_id          INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('unscheduled', 'scheduled', 'on_the_way', 'in_progress', 'completed', 'cancelled')),
    changed_at      TEXT NOT NULL,
    staff_user_id   INTEGER REFERENCES staff_users(id) ON DELETE SET NULL
);
-- The job page's timeline.
CREATE INDEX job_status_changes_job ON job_status_changes(company_id, job_id, id);
-- The portal's live stream: an account's recent moves.
CREATE INDEX job_status_changes_customer ON job_status_changes(company_id, customer_id, changed_at, id);

-- Notes the customer sees; work_order_notes stay the office's and the crew's.
ALTER TABLE jobs ADD COLUMN customer_notes TEXT NOT NULL DEFAULT '';
-- When the visit reminder was queued: set once, by the one sweep that claims the job.
ALTER TABLE jobs ADD COLUMN reminder_sent_at TEXT;

-- The office's job list: by status and date, keyset on (job_date, id).
CREATE INDEX jobs_company_status_date ON jobs(company_id, status, job_date, id);
-- The reminder sweep: scheduled visits in a time range not yet reminded.
CREATE INDEX jobs_reminder_due ON jobs(status, scheduled_start) WHERE reminder_sent_at IS NULL;
-- Technicians' jobs, for the list's technician filter.
CREATE INDEX job_technicians_technician ON job_technicians(company_id, technician_id, job_id);
