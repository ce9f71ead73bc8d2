-- Issue 3: targets allocated from another target, counting indicators, reorganisations of
-- units. 0001 stays as it was: a database created by it is brought here by this file.
--
-- ALTER TABLE ADD COLUMN keeps every stored row and every foreign key pointing at the table.
-- A CHECK given with an added column may name the table's other columns and is tested against
-- the rows already there (SQLite 3.37 and later), so the table does not need rebuilding, which
-- would need foreign keys off and so cannot run inside the migration's transaction.

-- The target this one is a share of, `resolution/code`, kept as one string like
-- document_targets.target; the reference is checked by the domain.
ALTER TABLE targets ADD COLUMN allocated_from TEXT;

-- A 'count_where' indicator counts the units whose value of `count_of` meets the condition
-- `condition_op condition_value` (">=" and "19"); the three are set for it and only for it.
ALTER TABLE indicators ADD COLUMN count_of TEXT
    REFERENCES indicators (id) DEFERRABLE INITIALLY DEFERRED
    CHECK ((aggregation = 'count_where') = (count_of IS NOT NULL));
ALTER TABLE indicators ADD COLUMN condition_op TEXT
    CHECK (condition_op IN ('<', '<=', '==', '!=', '>=', '>'))
    CHECK ((aggregation = 'count_where') = (condition_op IS NOT NULL));
ALTER TABLE indicators ADD COLUMN condition_value TEXT
    CHECK ((aggregation = 'count_where') = (condition_value IS NOT NULL));

CREATE TABLE reorganisations (
    seq      INTEGER PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    -- merge, split, rename or transfer.
    kind     TEXT NOT NULL,
    date     TEXT NOT NULL,
    decision TEXT
) STRICT;

-- What becomes of each unit, in the reorganisation's order: `share` (a decimal as text) of
-- `from_unit` becomes part of `to_unit`. The REAL cast is only a backstop against a share
-- outside (0, 1]; the domain checks it exactly.
CREATE TABLE reorganisation_parts (
    seq               INTEGER PRIMARY KEY,
    reorganisation_id TEXT NOT NULL REFERENCES reorganisations (id) DEFERRABLE INITIALLY DEFERRED,
    from_unit         TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    to_unit           TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    share             TEXT NOT NULL CHECK (CAST(share AS REAL) > 0 AND CAST(share AS REAL) <= 1)
) STRICT;
CREATE INDEX reorganisation_parts_reorganisation ON reorganisation_parts (reorganisation_id);
