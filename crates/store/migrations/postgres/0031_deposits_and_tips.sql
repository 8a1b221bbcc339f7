-- Deposits on approval and tips (issue 19). An estimate asks for a fixed deposit
-- (deposit_minor) or a percentage of its approved total (deposit_percent_bp, basis
-- points; core::deposits). The deposit is paid through a checkout of kind
-- 'deposit' (estimate_id set); the payment it made is held on the estimate
-- (deposit_payment_id, deposit_paid_minor, deposit_paid_at) and applied to the job's
-- invoices when the office sends them (deposit_applied_minor so far).
ALTER TABLE estimates ADD COLUMN deposit_percent_bp BIGINT NOT NULL DEFAULT 0;
ALTER TABLE estimates ADD COLUMN deposit_payment_id BIGINT REFERENCES payments(id) ON DELETE SET NULL;
ALTER TABLE estimates ADD COLUMN deposit_paid_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE estimates ADD COLUMN deposit_paid_at TIMESTAMPTZ;
ALTER TABLE estimates ADD COLUMN deposit_applied_minor BIGINT NOT NULL DEFAULT 0;
CREATE INDEX estimates_deposit_payment ON estimates(deposit_payment_id);

-- A checkout pays invoices ('invoices') or an estimate's deposit ('deposit'); a tip
-- charged with an invoice is tip_minor, never applied to an invoice. One open deposit
-- checkout per estimate (a second tab is refused before the processor is called).
ALTER TABLE checkout_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'invoices';
ALTER TABLE checkout_sessions ADD COLUMN estimate_id BIGINT REFERENCES estimates(id) ON DELETE SET NULL;
ALTER TABLE checkout_sessions ADD COLUMN tip_minor BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX checkout_sessions_open_deposit ON checkout_sessions(company_id, estimate_id)
    WHERE status = 'open' AND estimate_id IS NOT NULL;

-- The tip a payment carried, apart from its amount (what reached the account).
ALTER TABLE payments ADD COLUMN tip_minor BIGINT NOT NULL DEFAULT 0;
