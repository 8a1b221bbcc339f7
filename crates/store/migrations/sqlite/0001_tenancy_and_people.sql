-- Companies (tenants), their office staff, customers, sites, contacts and portal logins,
-- and everything sign-in needs. Every tenant table carries company_id.

CREATE TABLE companies (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    address_line1   TEXT NOT NULL DEFAULT '',
    address_line2   TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    website         TEXT NOT NULL DEFAULT '',
    currency        TEXT NOT NULL DEFAULT 'USD',
    timezone        TEXT NOT NULL DEFAULT 'UTC',
    default_locale  TEXT NOT NULL DEFAULT 'en',
    brand_primary   TEXT NOT NULL DEFAULT '#0b5cad',
    brand_accent    TEXT NOT NULL DEFAULT '#f5a623',
    logo_key        TEXT,
    request_email   TEXT NOT NULL DEFAULT '',
    settings        TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE company_domains (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL UNIQUE,
    verified_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX company_domains_company ON company_domains(company_id);

CREATE TABLE staff_users (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'office')),
    password_hash       TEXT,
    totp_secret         TEXT,
    totp_enabled        INTEGER NOT NULL DEFAULT 0,
    locked_at           TEXT,
    last_sign_in_at     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (company_id, email)
);

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    number              TEXT NOT NULL,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL DEFAULT 'residential' CHECK (kind IN ('residential', 'commercial')),
    parent_customer_id  INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    email               TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    billing_line1       TEXT NOT NULL DEFAULT '',
    billing_line2       TEXT NOT NULL DEFAULT '',
    billing_city        TEXT NOT NULL DEFAULT '',
    billing_region      TEXT NOT NULL DEFAULT '',
    billing_postal_code TEXT NOT NULL DEFAULT '',
    credit_minor        INTEGER NOT NULL DEFAULT 0,
    is_prospect         INTEGER NOT NULL DEFAULT 0,
    notes               TEXT NOT NULL DEFAULT '',
    external_ref        TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX customers_company_name ON customers(company_id, name, id);
CREATE INDEX customers_parent ON customers(company_id, parent_customer_id);

CREATE TABLE sites (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id     INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'service' CHECK (kind IN ('service', 'pickup')),
    line1           TEXT NOT NULL,
    line2           TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    access_notes    TEXT NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX sites_customer ON sites(company_id, customer_id, name);

-- One portal identity per email per company; the same email at another company is unrelated.
CREATE TABLE portal_logins (
    id                  INTEGER PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    password_hash       TEXT,
    email_verified_at   TEXT,
    totp_secret         TEXT,
    totp_enabled        INTEGER NOT NULL DEFAULT 0,
    locked_at           TEXT,
    locked_reason       TEXT NOT NULL DEFAULT '',
    language            TEXT NOT NULL DEFAULT 'en',
    last_sign_in_at     TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (company_id, email)
);

CREATE TABLE contacts (
    id                      INTEGER PRIMARY KEY,
    company_id              INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    customer_id             INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    login_id                INTEGER REFERENCES portal_logins(id) ON DELETE SET NULL,
    first_name              TEXT NOT NULL,
    last_name               TEXT NOT NULL DEFAULT '',
    email                   TEXT,
    phone                   TEXT NOT NULL DEFAULT '',
    role                    TEXT NOT NULL DEFAULT 'company' CHECK (role IN ('company', 'site')),
    is_primary              INTEGER NOT NULL DEFAULT 0,
    is_billing              INTEGER NOT NULL DEFAULT 0,
    portal_enabled          INTEGER NOT NULL DEFAULT 0,
    notify_invoices         INTEGER NOT NULL DEFAULT 1,
    notify_visit_reminders  INTEGER NOT NULL DEFAULT 1,
    notify_request_updates  INTEGER NOT NULL DEFAULT 1,
    notify_messages         INTEGER NOT NULL DEFAULT 1,
    notify_marketing        INTEGER NOT NULL DEFAULT 0,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts(company_id, customer_id, last_name, first_name);
CREATE INDEX contacts_login ON contacts(company_id, login_id);
CREATE INDEX contacts_email ON contacts(company_id, email);

CREATE TABLE contact_sites (
    company_id  INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    contact_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, site_id)
);
CREATE INDEX contact_sites_site ON contact_sites(company_id, site_id);

-- Sessions of staff and portal logins; the id is a hash of the cookie's secret.
CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY,
    company_id          INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    staff_user_id       INTEGER REFERENCES staff_users(id) ON DELETE CASCADE,
    login_id            INTEGER REFERENCES portal_logins(id) ON DELETE CASCADE,
    active_customer_id  INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    csrf_secret         TEXT NOT NULL,
    two_factor_pending  INTEGER NOT NULL DEFAULT 0,
    ip                  TEXT NOT NULL DEFAULT '',
    user_agent          TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    last_seen_at        TEXT NOT NULL,
    expires_at          TEXT NOT NULL,
    CHECK ((staff_user_id IS NULL) <> (login_id IS NULL))
);
CREATE INDEX sessions_staff ON sessions(company_id, staff_user_id);
CREATE INDEX sessions_login ON sessions(company_id, login_id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Invitation, reset, sign-in-link and verification tokens, stored only as hashes.
CREATE TABLE auth_tokens (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    token_hash      TEXT NOT NULL UNIQUE,
    purpose         TEXT NOT NULL CHECK (purpose IN ('invite', 'reset', 'sign_in_link', 'verify_email', 'staff_setup')),
    staff_user_id   INTEGER REFERENCES staff_users(id) ON DELETE CASCADE,
    login_id        INTEGER REFERENCES portal_logins(id) ON DELETE CASCADE,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    created_at      TEXT NOT NULL,
    CHECK ((staff_user_id IS NULL) <> (login_id IS NULL))
);
CREATE INDEX auth_tokens_owner ON auth_tokens(company_id, login_id, staff_user_id);

CREATE TABLE recovery_codes (
    id              INTEGER PRIMARY KEY,
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    staff_user_id   INTEGER REFERENCES staff_users(id) ON DELETE CASCADE,
    login_id        INTEGER REFERENCES portal_logins(id) ON DELETE CASCADE,
    code_hash       TEXT NOT NULL,
    used_at         TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX recovery_codes_owner ON recovery_codes(company_id, login_id, staff_user_id);

-- Failed sign-in counters per login and per client address; they decay, never lock for good.
CREATE TABLE sign_in_throttle (
    company_id      INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    throttle_key    TEXT NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    blocked_until   TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (company_id, throttle_key)
);
