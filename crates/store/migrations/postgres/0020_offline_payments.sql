-- Offline payments (issue 17). The office records cash, checks, bank transfers and cards
-- taken by phone; online payments come through a processor. `method` keeps its meaning
-- (card, ach, cash, check, credit) and `channel` says who took the money: 'online' (a
-- processor) or 'office' (recorded by staff). A bank transfer recorded by the office is
-- method 'ach' on channel 'office'; a card taken by phone is method 'card' on channel
-- 'office'. Rows written before this migration are 'office' unless a processor took them.
ALTER TABLE payments ADD COLUMN channel TEXT NOT NULL DEFAULT 'office' CHECK (channel IN ('office', 'online'));
UPDATE payments SET channel = 'online' WHERE processor IS NOT NULL;
-- Who in the office recorded the payment (none for online payments).
ALTER TABLE payments ADD COLUMN recorded_by_staff_id BIGINT REFERENCES staff_users(id) ON DELETE SET NULL;

-- The office's payments list: newest first, optionally one method.
CREATE INDEX payments_recent ON payments(company_id, received_at, id);
CREATE INDEX payments_method_recent ON payments(company_id, method, received_at, id);
-- Each invoice's payments, newest first through the payment.
CREATE INDEX payment_allocations_invoice_payment ON payment_allocations(company_id, invoice_id, payment_id);
