-- What exactly a customer approved: the amounts as shown at signing and the optional
-- lines they ticked (JSON list of {id, description, amount_minor}), so the record stands
-- even if the office edits the estimate later.
ALTER TABLE estimates ADD COLUMN approved_subtotal_minor BIGINT;
ALTER TABLE estimates ADD COLUMN approved_tax_minor BIGINT;
ALTER TABLE estimates ADD COLUMN approved_options TEXT NOT NULL DEFAULT '[]';
ALTER TABLE estimates ADD COLUMN declined_by_contact_id BIGINT REFERENCES contacts(id) ON DELETE SET NULL;
ALTER TABLE estimates ADD COLUMN declined_ip TEXT;
