-- One index fewer for the single archive writer to maintain: a schedule filter alone walks the receipt-time index
-- (a fifth or more of prescriptions share a schedule, so a page of 50 is found within a few hundred rows).
DROP INDEX ix_prescriptions_schedule;
