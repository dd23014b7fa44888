-- A CancelRx may arrive before the NewRx it cancels; the NewRx is found cancelled through the CancelRx's
-- RelatesToMessageID as well as through its resolved link.
CREATE INDEX ix_prescription_archive_relates_to ON prescription_archive (relates_to_message_id) WHERE relates_to_message_id IS NOT NULL;
