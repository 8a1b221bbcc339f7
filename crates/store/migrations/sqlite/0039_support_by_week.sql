-- Issue 18: the office dashboard's "open vs closed support" chart groups a company's support
-- requests by the week they were opened; this index serves it without reading the table.
CREATE INDEX support_requests_opened ON support_requests(company_id, created_at, status);
