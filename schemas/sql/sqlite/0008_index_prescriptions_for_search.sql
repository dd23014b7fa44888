-- Search reads a page of prescription numbers from an index alone: each name key with the receipt time (and the
-- prescription number, the rowid), so a prefix match sorted by receipt never touches the table rows.
DROP INDEX ix_prescriptions_patient;
DROP INDEX ix_prescriptions_prescriber;
DROP INDEX ix_prescriptions_drug;
CREATE INDEX ix_prescriptions_patient_received ON prescriptions (patient_key, received_at);
CREATE INDEX ix_prescriptions_prescriber_received ON prescriptions (prescriber_key, received_at);
CREATE INDEX ix_prescriptions_drug_received ON prescriptions (drug_key, received_at);
