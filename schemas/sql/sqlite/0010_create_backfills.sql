-- Derivations from the archive that ran to completion once (PrescriptionBackfill): after that the archive writer keeps
-- them current, so start-up does not scan the archive again.
CREATE TABLE completed_backfills (
  name         TEXT NOT NULL PRIMARY KEY,
  completed_at TEXT NOT NULL
);
