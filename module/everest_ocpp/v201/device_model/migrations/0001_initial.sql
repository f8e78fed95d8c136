-- Device model schema, version 1. Enum values are stored as their OCPP spelling (readable with the
-- sqlite3 shell). Characteristics live on the variable row: every variable has exactly one set.
CREATE TABLE component (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    instance TEXT,
    evse_id INTEGER,
    connector_id INTEGER
);
CREATE UNIQUE INDEX component_identity
    ON component (name, ifnull(instance, ''), ifnull(evse_id, -1), ifnull(connector_id, -1));

CREATE TABLE variable (
    id INTEGER PRIMARY KEY,
    component_id INTEGER NOT NULL REFERENCES component (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    instance TEXT,
    data_type TEXT NOT NULL CHECK (data_type IN ('string', 'decimal', 'integer', 'dateTime', 'boolean',
                                                 'OptionList', 'SequenceList', 'MemberList')),
    supports_monitoring INTEGER NOT NULL DEFAULT 0,
    unit TEXT,
    min_limit REAL,
    max_limit REAL,
    values_list TEXT
);
CREATE UNIQUE INDEX variable_identity ON variable (component_id, name, ifnull(instance, ''));

CREATE TABLE attribute (
    variable_id INTEGER NOT NULL REFERENCES variable (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('Actual', 'Target', 'MinSet', 'MaxSet')),
    mutability TEXT NOT NULL CHECK (mutability IN ('ReadOnly', 'WriteOnly', 'ReadWrite')),
    persistent INTEGER NOT NULL DEFAULT 1,
    constant INTEGER NOT NULL DEFAULT 0,
    value TEXT,
    value_source TEXT,
    PRIMARY KEY (variable_id, type)
) WITHOUT ROWID;

CREATE TABLE monitor (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    variable_id INTEGER NOT NULL REFERENCES variable (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('UpperThreshold', 'LowerThreshold', 'Delta', 'Periodic',
                                       'PeriodicClockAligned')),
    severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 9),
    value REAL NOT NULL,
    in_transaction INTEGER NOT NULL DEFAULT 0,
    config_type TEXT NOT NULL CHECK (config_type IN ('HardWiredMonitor', 'PreconfiguredMonitor',
                                                     'CustomMonitor')),
    reference_value TEXT
);
