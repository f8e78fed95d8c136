-- Version 2: keep the component file's per-variable 'source' (libocpp routes variables by it), and
-- index monitors by variable for the start-up synchronisation.
ALTER TABLE variable ADD COLUMN source TEXT;
CREATE INDEX monitor_variable ON monitor (variable_id);
