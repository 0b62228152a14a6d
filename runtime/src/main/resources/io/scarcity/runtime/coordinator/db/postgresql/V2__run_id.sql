-- Which run stored each insight (a random id per run, kept in its checkpoints), so that a resumed run can
-- tell the rounds it stored itself before an interruption from those of other runs sharing the store.
-- NULL for insights stored before this column existed.
ALTER TABLE insights ADD COLUMN run_id TEXT;
CREATE INDEX insights_run ON insights (domain, run_id, round);
