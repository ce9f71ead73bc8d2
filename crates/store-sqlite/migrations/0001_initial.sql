-- chitieu's schema on SQLite.
--
-- Every table is STRICT so that a value can never silently change type: decimals are TEXT
-- written by rust_decimal (exact, scale kept: "41.30" stays "41.30"), never REAL. Dates are
-- ISO TEXT (YYYY-MM-DD), periods TEXT ("2018", "2018-H1", "2018-Q2", "2018-06"), checked so
-- that only a period that can be read back is stored.
-- `seq` is the insertion order that load() returns; domain keys are UNIQUE.
-- Foreign keys are DEFERRABLE INITIALLY DEFERRED: a bundle may list a child before its
-- parent, and the domain validation has already checked every reference before a write;
-- the keys are a backstop checked at commit.

CREATE TABLE units (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    name_en    TEXT,
    level      TEXT NOT NULL,
    parent     TEXT REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    code       TEXT,
    valid_from TEXT,
    valid_to   TEXT
) STRICT;

CREATE TABLE terms (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL
) STRICT;

CREATE TABLE resolutions (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    unit     TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    kind     TEXT NOT NULL,
    congress INTEGER CHECK (congress >= 0),
    term     TEXT NOT NULL REFERENCES terms (id) DEFERRABLE INITIALLY DEFERRED,
    number   TEXT,
    adopted  TEXT NOT NULL,
    title    TEXT NOT NULL,
    issuer   TEXT,
    body     TEXT NOT NULL
) STRICT;

CREATE TABLE indicators (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    name_en     TEXT,
    measure     TEXT NOT NULL,
    direction   TEXT NOT NULL,
    -- An aggregation method (sum, count, min, max, last) or 'derived' with a formula.
    aggregation TEXT NOT NULL,
    formula     TEXT,
    CHECK ((aggregation = 'derived') = (formula IS NOT NULL))
) STRICT;

CREATE TABLE targets (
    seq             INTEGER PRIMARY KEY,
    resolution      TEXT NOT NULL REFERENCES resolutions (id) DEFERRABLE INITIALLY DEFERRED,
    code            TEXT NOT NULL,
    indicator       TEXT NOT NULL REFERENCES indicators (id) DEFERRABLE INITIALLY DEFERRED,
    unit            TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    field           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    baseline        TEXT NOT NULL,
    baseline_period TEXT NOT NULL
        CHECK (baseline_period GLOB '[0-9][0-9][0-9][0-9]' OR baseline_period GLOB '[0-9][0-9][0-9][0-9]-H[12]' OR baseline_period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'
           OR baseline_period GLOB '[0-9][0-9][0-9][0-9]-0[1-9]' OR baseline_period GLOB '[0-9][0-9][0-9][0-9]-1[0-2]'),
    name            TEXT NOT NULL,
    -- 'exact' (value), 'range' (value = min, value_max = max) or 'change_per_year' (value).
    value_kind      TEXT NOT NULL,
    value           TEXT NOT NULL,
    value_max       TEXT,
    deadline        TEXT NOT NULL,
    precision       INTEGER CHECK (precision >= 0),
    source          TEXT,
    illustrative    INTEGER NOT NULL CHECK (illustrative IN (0, 1)),
    UNIQUE (resolution, code)
) STRICT;

-- Phased milestones, in the target's order.
CREATE TABLE target_milestones (
    seq        INTEGER PRIMARY KEY,
    resolution TEXT NOT NULL,
    code       TEXT NOT NULL,
    period     TEXT NOT NULL
        CHECK (period GLOB '[0-9][0-9][0-9][0-9]' OR period GLOB '[0-9][0-9][0-9][0-9]-H[12]' OR period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'
           OR period GLOB '[0-9][0-9][0-9][0-9]-0[1-9]' OR period GLOB '[0-9][0-9][0-9][0-9]-1[0-2]'),
    value      TEXT NOT NULL,
    FOREIGN KEY (resolution, code) REFERENCES targets (resolution, code) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX target_milestones_target ON target_milestones (resolution, code);

-- An adjustment's subject is a target or a task, told by subject_kind; the reference is
-- checked by the domain, not by a foreign key, since it points into one of two tables.
CREATE TABLE adjustments (
    seq                INTEGER PRIMARY KEY,
    subject_kind       TEXT NOT NULL CHECK (subject_kind IN ('target', 'task')),
    resolution         TEXT NOT NULL,
    code               TEXT NOT NULL,
    decision_body      TEXT NOT NULL,
    decision_reference TEXT NOT NULL,
    decision_date      TEXT NOT NULL,
    reason             TEXT NOT NULL,
    value_kind         TEXT,
    value              TEXT,
    value_max          TEXT,
    deadline           TEXT,
    wording            TEXT,
    withdraw           INTEGER NOT NULL CHECK (withdraw IN (0, 1)),
    CHECK ((value_kind IS NULL) = (value IS NULL))
) STRICT;

CREATE TABLE documents (
    seq          INTEGER PRIMARY KEY,
    issuer       TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    number       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    date         TEXT NOT NULL,
    title        TEXT NOT NULL,
    illustrative INTEGER NOT NULL CHECK (illustrative IN (0, 1)),
    UNIQUE (issuer, number)
) STRICT;

CREATE TABLE document_resolutions (
    seq        INTEGER PRIMARY KEY,
    issuer     TEXT NOT NULL,
    number     TEXT NOT NULL,
    resolution TEXT NOT NULL REFERENCES resolutions (id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (issuer, number) REFERENCES documents (issuer, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX document_resolutions_document ON document_resolutions (issuer, number);

-- A served target as written in the bundle, `resolution/code`; kept as one string so that it
-- round-trips exactly even if an id contains a slash.
CREATE TABLE document_targets (
    seq    INTEGER PRIMARY KEY,
    issuer TEXT NOT NULL,
    number TEXT NOT NULL,
    target TEXT NOT NULL,
    FOREIGN KEY (issuer, number) REFERENCES documents (issuer, number) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX document_targets_document ON document_targets (issuer, number);

CREATE TABLE tasks (
    seq          INTEGER PRIMARY KEY,
    resolution   TEXT NOT NULL REFERENCES resolutions (id) DEFERRABLE INITIALLY DEFERRED,
    code         TEXT NOT NULL,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    field        TEXT NOT NULL,
    due          TEXT,
    state        TEXT NOT NULL,
    done_on      TEXT,
    illustrative INTEGER NOT NULL CHECK (illustrative IN (0, 1)),
    UNIQUE (resolution, code)
) STRICT;

-- Every figure ever reported stays: a later one supersedes an earlier one for the same
-- (unit, indicator, period) without replacing it, so there is no unique key here.
CREATE TABLE observations (
    seq         INTEGER PRIMARY KEY,
    unit        TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    indicator   TEXT NOT NULL REFERENCES indicators (id) DEFERRABLE INITIALLY DEFERRED,
    period      TEXT NOT NULL
        CHECK (period GLOB '[0-9][0-9][0-9][0-9]' OR period GLOB '[0-9][0-9][0-9][0-9]-H[12]' OR period GLOB '[0-9][0-9][0-9][0-9]-Q[1-4]'
           OR period GLOB '[0-9][0-9][0-9][0-9]-0[1-9]' OR period GLOB '[0-9][0-9][0-9][0-9]-1[0-2]'),
    value       TEXT NOT NULL,
    standing    TEXT NOT NULL,
    state       TEXT NOT NULL,
    source      TEXT,
    reported_by TEXT,
    reported    TEXT
) STRICT;
CREATE INDEX observations_series ON observations (indicator, unit, period);
