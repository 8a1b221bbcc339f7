-- The JSON API's service and support requests (issue 20): their lists walk
-- (updated_at, id) per company, per status and per customer. Support requests already
-- have the status and customer indexes (0002); the unfiltered walk is new for both.
CREATE INDEX service_requests_updated ON service_requests(company_id, updated_at, id);
CREATE INDEX service_requests_status_updated ON service_requests(company_id, status, updated_at, id);
CREATE INDEX service_requests_customer_updated ON service_requests(company_id, customer_id, updated_at, id);
CREATE INDEX support_requests_updated ON support_requests(company_id, updated_at, id);
