-- Issue 20: outgoing webhooks. The delivery log shows the gist of the receiver's last
-- answer and when it was tried; an endpoint's log is read newest first.
ALTER TABLE webhook_deliveries ADD COLUMN response_excerpt TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_deliveries ADD COLUMN last_attempt_at TEXT;
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(company_id, endpoint_id, id);
