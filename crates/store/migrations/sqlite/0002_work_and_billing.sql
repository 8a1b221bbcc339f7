-- The work a company does for its customers and what it bills: jobs, estimates, invoices,
-- payments, assets, requests, support, messages, ratings, files and notifications.

CREATE TABLE technicians (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE INDEX technicians_company ON technicians(company_id, name);

CREATE TABLE job_types (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    requestable     INTEGER NOT NULL DEFAULT 1,
    active          INTEGER NOT NULL DEFAULT 1,
    sort_order      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX job_types_company ON job_types(company_id, sort_order, name);

-- Products and services customers may request (seed 004): never deleted, only hidden.
CREATE TABLE catalogue_items (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    kind                TEXT NOT NULL CHECK (kind IN ('product', 'service')),
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    unit_price_minor    INTEGER NOT NULL DEFAULT 0,
    show_in_portal      INTEGER NOT NULL DEFAULT 1,
    sort_order          INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX catalogue_items_company ON catalogue_items(company_id, kind, sort_order, name);

CREATE TABLE custom_job_fields (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    field_key       TEXT NOT NULL,
    label           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (company_id, field_key)
);

CREATE TABLE assets (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    site_id             INTEGER REFERENCES sites(id) ON DELETE SET NULL,
    catalogue_item_id   INTEGER REFERENCES catalogue_items(id) ON DELETE SET NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('equipment', 'rental')),
    name                TEXT NOT NULL,
    make                TEXT NOT NULL DEFAULT '',
    model               TEXT NOT NULL DEFAULT '',
    serial_number       TEXT NOT NULL DEFAULT '',
    installed_on        TEXT,
    rental_start_on     TEXT,
    rental_end_on       TEXT,
    notes               TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX assets_customer ON assets(company_id, customer_id, name);

CREATE TABLE maintenance_schedules (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    asset_id        INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    interval_days   INTEGER NOT NULL CHECK (interval_days > 0),
    last_done_on    TEXT,
    next_due_on     TEXT NOT NULL,
    skipped_on      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX maintenance_due ON maintenance_schedules(company_id, asset_id, next_due_on);

CREATE TABLE service_agreements (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    plan_name           TEXT NOT NULL,
    visits_included     INTEGER NOT NULL DEFAULT 0,
    visits_used         INTEGER NOT NULL DEFAULT 0,
    price_minor         INTEGER NOT NULL DEFAULT 0,
    starts_on           TEXT NOT NULL,
    renews_on           TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled', 'expired')),
    created_at          TEXT NOT NULL
);
CREATE INDEX service_agreements_customer ON service_agreements(company_id, customer_id);

CREATE TABLE jobs (
    id                      INTEGER PRIMARY KEY,
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    site_id                 INTEGER REFERENCES sites(id) ON DELETE SET NULL,
    asset_id                INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    job_type_id             INTEGER REFERENCES job_types(id) ON DELETE SET NULL,
    number                  TEXT NOT NULL,
    kind                    TEXT NOT NULL DEFAULT 'service' CHECK (kind IN ('service', 'sale')),
    status                  TEXT NOT NULL CHECK (status IN ('unscheduled', 'scheduled', 'on_the_way', 'in_progress', 'completed', 'cancelled')),
    summary                 TEXT NOT NULL,
    description             TEXT NOT NULL DEFAULT '',
    schedule_type           TEXT CHECK (schedule_type IN ('am', 'pm', 'all_day', 'exact')),
    scheduled_start         TEXT,
    scheduled_end           TEXT,
    arrival_window_start    TEXT,
    arrival_window_end      TEXT,
    -- The date the portal lists and sorts the job by: the visit, or creation when unscheduled.
    job_date                TEXT NOT NULL,
    completed_at            TEXT,
    work_order_notes        TEXT NOT NULL DEFAULT '',
    invoice_notes           TEXT NOT NULL DEFAULT '',
    po_number               TEXT NOT NULL DEFAULT '',
    custom_fields           TEXT NOT NULL DEFAULT '{}',
    total_minor             INTEGER NOT NULL DEFAULT 0,
    external_ref            TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    UNIQUE (company_id, number)
);
-- The portal's job list: an account's jobs by date, optionally by status, keyset on (job_date, id).
CREATE INDEX jobs_customer_date ON jobs(company_id, customer_id, job_date, id);
CREATE INDEX jobs_customer_status_date ON jobs(company_id, customer_id, status, job_date, id);
CREATE INDEX jobs_site_date ON jobs(company_id, site_id, job_date, id);
CREATE INDEX jobs_company_date ON jobs(company_id, job_date, id);
CREATE INDEX jobs_asset ON jobs(company_id, asset_id, job_date);
CREATE INDEX jobs_updated ON jobs(company_id, updated_at, id);

CREATE TABLE job_technicians (
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    job_id          INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    technician_id   INTEGER NOT NULL REFERENCES technicians(id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, technician_id)
);

-- Completed job forms (checklists): the answers as a JSON list of {label, value}.
CREATE TABLE job_forms (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    job_id          INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    answers         TEXT NOT NULL DEFAULT '[]',
    completed_at    TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX job_forms_job ON job_forms(company_id, job_id);

CREATE TABLE estimates (
    id                      INTEGER PRIMARY KEY,
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    site_id                 INTEGER REFERENCES sites(id) ON DELETE SET NULL,
    number                  TEXT NOT NULL,
    title                   TEXT NOT NULL,
    scope                   TEXT NOT NULL DEFAULT '',
    status                  TEXT NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'declined', 'expired', 'converted')),
    issued_on               TEXT NOT NULL,
    expires_on              TEXT,
    deposit_minor           INTEGER NOT NULL DEFAULT 0,
    total_minor             INTEGER NOT NULL DEFAULT 0,
    approved_at             TEXT,
    approved_by_name        TEXT,
    approved_by_contact_id  INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    approved_ip             TEXT,
    approved_total_minor    INTEGER,
    declined_at             TEXT,
    decline_reason          TEXT NOT NULL DEFAULT '',
    converted_job_id        INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    external_ref            TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX estimates_customer ON estimates(company_id, customer_id, issued_on, id);
CREATE INDEX estimates_customer_status ON estimates(company_id, customer_id, status, issued_on, id);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    site_id         INTEGER REFERENCES sites(id) ON DELETE SET NULL,
    job_id          INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    number          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'unpaid', 'paid', 'void')),
    issued_on       TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    total_minor     INTEGER NOT NULL DEFAULT 0,
    paid_minor      INTEGER NOT NULL DEFAULT 0,
    notes           TEXT NOT NULL DEFAULT '',
    paid_at         TEXT,
    voided_at       TEXT,
    external_ref    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX invoices_customer ON invoices(company_id, customer_id, issued_on, id);
CREATE INDEX invoices_customer_status ON invoices(company_id, customer_id, status, due_on, id);
CREATE INDEX invoices_job ON invoices(company_id, job_id);

-- Priced lines of a job, an estimate or an invoice (exactly one owner).
CREATE TABLE line_items (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    job_id              INTEGER REFERENCES jobs(id) ON DELETE CASCADE,
    estimate_id         INTEGER REFERENCES estimates(id) ON DELETE CASCADE,
    invoice_id          INTEGER REFERENCES invoices(id) ON DELETE CASCADE,
    catalogue_item_id   INTEGER REFERENCES catalogue_items(id) ON DELETE SET NULL,
    position            INTEGER NOT NULL DEFAULT 0,
    kind                TEXT NOT NULL DEFAULT 'service' CHECK (kind IN ('service', 'product', 'labour', 'material', 'fee')),
    description         TEXT NOT NULL,
    quantity_milli      INTEGER NOT NULL DEFAULT 1000,
    unit_price_minor    INTEGER NOT NULL DEFAULT 0,
    tax_name            TEXT,
    tax_rate_bp         INTEGER NOT NULL DEFAULT 0,
    is_optional         INTEGER NOT NULL DEFAULT 0,
    is_selected         INTEGER NOT NULL DEFAULT 1,
    CHECK ((job_id IS NOT NULL) + (estimate_id IS NOT NULL) + (invoice_id IS NOT NULL) = 1)
);
CREATE INDEX line_items_job ON line_items(job_id, position);
CREATE INDEX line_items_estimate ON line_items(estimate_id, position);
CREATE INDEX line_items_invoice ON line_items(invoice_id, position);

CREATE TABLE payment_methods (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    processor       TEXT NOT NULL,
    processor_ref   TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('card', 'bank')),
    brand           TEXT NOT NULL DEFAULT '',
    last4           TEXT NOT NULL DEFAULT '',
    exp_month       INTEGER,
    exp_year        INTEGER,
    is_default      INTEGER NOT NULL DEFAULT 0,
    autopay         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX payment_methods_customer ON payment_methods(company_id, customer_id);

CREATE TABLE payments (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    number              TEXT NOT NULL,
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
    method              TEXT NOT NULL CHECK (method IN ('card', 'ach', 'cash', 'check', 'credit')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
    processor           TEXT,
    processor_ref       TEXT,
    reference           TEXT NOT NULL DEFAULT '',
    payment_method_id   INTEGER REFERENCES payment_methods(id) ON DELETE SET NULL,
    received_at         TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX payments_customer ON payments(company_id, customer_id, received_at, id);
CREATE UNIQUE INDEX payments_processor_ref ON payments(company_id, processor, processor_ref);

CREATE TABLE payment_allocations (
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    payment_id      INTEGER NOT NULL REFERENCES payments(id) ON DELETE CASCADE,
    invoice_id      INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, invoice_id)
);
CREATE INDEX payment_allocations_invoice ON payment_allocations(company_id, invoice_id);

-- Every processor event seen, so a duplicate webhook never settles a payment twice.
CREATE TABLE processor_events (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    processor       TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    UNIQUE (processor, event_id)
);

-- Stored files; the bytes live under DOORSTEP_DATA_DIR by random key, never by user filename.
CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER REFERENCES customers(id) ON DELETE CASCADE,
    owner_kind      TEXT NOT NULL CHECK (owner_kind IN ('job', 'estimate', 'invoice', 'service_request', 'support_request', 'support_comment', 'message', 'asset', 'company')),
    owner_id        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    filename        TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    storage_key     TEXT NOT NULL UNIQUE,
    thumb_key       TEXT,
    width           INTEGER,
    height          INTEGER,
    created_at      TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments(company_id, owner_kind, owner_id);

CREATE TABLE messages (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id         INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    job_id              INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    estimate_id         INTEGER REFERENCES estimates(id) ON DELETE SET NULL,
    author_contact_id   INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    author_staff_id     INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    body                TEXT NOT NULL,
    read_by_office_at   TEXT,
    read_by_customer_at TEXT,
    created_at          TEXT NOT NULL
);
CREATE INDEX messages_customer ON messages(company_id, customer_id, created_at, id);
CREATE INDEX messages_job ON messages(company_id, job_id, created_at);
CREATE INDEX messages_office_unread ON messages(company_id, read_by_office_at);

CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    job_id          INTEGER NOT NULL UNIQUE REFERENCES jobs(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    stars           INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment         TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE INDEX ratings_company ON ratings(company_id, created_at);

CREATE TABLE availability_windows (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    window_date     TEXT NOT NULL,
    slot            TEXT NOT NULL CHECK (slot IN ('am', 'pm', 'all_day', 'exact')),
    start_time      TEXT NOT NULL DEFAULT '',
    end_time        TEXT NOT NULL DEFAULT '',
    capacity        INTEGER NOT NULL CHECK (capacity >= 0),
    booked          INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    CHECK (booked >= 0 AND booked <= capacity),
    UNIQUE (company_id, window_date, slot, start_time)
);

CREATE TABLE service_requests (
    id                      INTEGER PRIMARY KEY,
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    site_id                 INTEGER REFERENCES sites(id) ON DELETE SET NULL,
    contact_id              INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    submitted_by_contact_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    number                  TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('new', 'read', 'completed', 'declined')),
    preferred_date          TEXT,
    schedule_type           TEXT CHECK (schedule_type IN ('am', 'pm', 'all_day', 'exact')),
    preferred_time          TEXT NOT NULL DEFAULT '',
    availability_window_id  INTEGER REFERENCES availability_windows(id) ON DELETE SET NULL,
    job_type_id             INTEGER REFERENCES job_types(id) ON DELETE SET NULL,
    catalogue_item_id       INTEGER REFERENCES catalogue_items(id) ON DELETE SET NULL,
    asset_id                INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    description             TEXT NOT NULL,
    po_number               TEXT NOT NULL DEFAULT '',
    is_sub_customer         INTEGER NOT NULL DEFAULT 0,
    estimate_id             INTEGER REFERENCES estimates(id) ON DELETE SET NULL,
    converted_job_id        INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    converted_estimate_id   INTEGER REFERENCES estimates(id) ON DELETE SET NULL,
    converted_asset_id      INTEGER REFERENCES assets(id) ON DELETE SET NULL,
    proposed_date           TEXT,
    proposed_schedule_type  TEXT,
    proposal_status         TEXT CHECK (proposal_status IN ('proposed', 'accepted', 'declined')),
    decline_reason          TEXT NOT NULL DEFAULT '',
    read_at                 TEXT,
    declined_at             TEXT,
    completed_at            TEXT,
    idempotency_key         TEXT,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    UNIQUE (company_id, number),
    UNIQUE (company_id, idempotency_key)
);
CREATE INDEX service_requests_inbox ON service_requests(company_id, status, created_at, id);
CREATE INDEX service_requests_customer ON service_requests(company_id, customer_id, created_at, id);
CREATE INDEX service_requests_job ON service_requests(company_id, converted_job_id);

CREATE TABLE support_requests (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    number          TEXT NOT NULL,
    subject         TEXT NOT NULL,
    description     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX support_requests_customer ON support_requests(company_id, customer_id, updated_at, id);
CREATE INDEX support_requests_status ON support_requests(company_id, status, updated_at, id);

CREATE TABLE support_comments (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    support_request_id  INTEGER NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
    author_contact_id   INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    author_staff_id     INTEGER REFERENCES staff_users(id) ON DELETE SET NULL,
    body                TEXT NOT NULL,
    created_at          TEXT NOT NULL
);
CREATE INDEX support_comments_request ON support_comments(company_id, support_request_id, created_at);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    login_id        INTEGER NOT NULL REFERENCES portal_logins(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    title           TEXT NOT NULL,
    link            TEXT NOT NULL DEFAULT '',
    read_at         TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX notifications_login ON notifications(company_id, login_id, read_at, created_at);
