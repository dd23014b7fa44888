-- Why a dispensing is recorded late (more than Dispensing:MaxBackdateDays after the date dispensed); NULL when on time.
ALTER TABLE dispensings ADD COLUMN reason TEXT NULL;
