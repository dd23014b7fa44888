-- A CancelRx binds to a NewRx only from the same sender, for the same prescriber and patient (DESIGN.md, "Trust
-- boundaries"). A CancelRx that arrives before its NewRx is linked later through this key, which both carry: a SHA-256
-- of the sender, the prescriber's DEA number and NPI and the patient's name and date of birth. Rows archived before
-- this column existed keep NULL and are linked as they were.
ALTER TABLE prescription_archive ADD COLUMN cancel_binding TEXT NULL;
