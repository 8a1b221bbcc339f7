-- Issue 18: company details, staff and the audit log page.

-- An administrator deactivated this member: refused at sign-in, sessions end at once;
-- reactivating clears it.
ALTER TABLE staff_users ADD COLUMN deactivated_at TIMESTAMPTZ;

-- Days after issue an invoice is due by default (0 = due on receipt).
ALTER TABLE companies ADD COLUMN payment_terms_days INTEGER NOT NULL DEFAULT 30;

-- The customer an audited action concerns, when its subject belongs to one (set when
-- recorded, from the subject), so the audit log filters by customer over an index.
ALTER TABLE audit_events ADD COLUMN customer_id BIGINT;

UPDATE audit_events SET customer_id = CASE subject_kind
    WHEN 'customer' THEN subject_id
    WHEN 'contact' THEN (SELECT x.customer_id FROM contacts x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'site' THEN (SELECT x.customer_id FROM sites x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'job' THEN (SELECT x.customer_id FROM jobs x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'estimate' THEN (SELECT x.customer_id FROM estimates x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'invoice' THEN (SELECT x.customer_id FROM invoices x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'payment' THEN (SELECT x.customer_id FROM payments x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'service_request' THEN (SELECT x.customer_id FROM service_requests x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    WHEN 'support_request' THEN (SELECT x.customer_id FROM support_requests x WHERE x.company_id = audit_events.company_id AND x.id = audit_events.subject_id)
    END
WHERE subject_id IS NOT NULL;

-- The audit log page's filters: who, what, which customer; each newest first.
CREATE INDEX audit_events_actor ON audit_events(company_id, actor_kind, actor_id, created_at, id);
CREATE INDEX audit_events_action ON audit_events(company_id, action, created_at, id);
CREATE INDEX audit_events_customer ON audit_events(company_id, customer_id, created_at, id);
