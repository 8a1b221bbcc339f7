-- The last support ticket number each company handed out, so two customers opening a
-- ticket at once get two numbers (the row is the lock) without scanning the tickets.
CREATE TABLE support_counters (
    company_id  BIGINT PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    last_number BIGINT NOT NULL
);
