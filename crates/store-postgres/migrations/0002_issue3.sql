-- Issue 3: targets allocated from another target, counting indicators, reorganisations of
-- units. 0001 stays as it was: a database created by it is brought here by this file.

-- The target this one is a share of, `resolution/code`, kept as one string like
-- document_targets.target; the reference is checked by the domain.
ALTER TABLE targets ADD COLUMN allocated_from TEXT;

-- A 'count_where' indicator counts the units whose value of `count_of` meets the condition
-- `condition_op condition_value` (">=" and 19); the three are set for it and only for it.
ALTER TABLE indicators
    ADD COLUMN count_of TEXT REFERENCES indicators (id) DEFERRABLE INITIALLY DEFERRED,
    ADD COLUMN condition_op TEXT CHECK (condition_op IN ('<', '<=', '==', '!=', '>=', '>')),
    ADD COLUMN condition_value NUMERIC,
    ADD CHECK ((aggregation = 'count_where') = (count_of IS NOT NULL)),
    ADD CHECK ((aggregation = 'count_where') = (condition_op IS NOT NULL)),
    ADD CHECK ((aggregation = 'count_where') = (condition_value IS NOT NULL));

CREATE TABLE reorganisations (
    seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id       TEXT NOT NULL UNIQUE,
    -- merge, split, rename or transfer.
    kind     TEXT NOT NULL,
    date     DATE NOT NULL,
    decision TEXT
);

-- What becomes of each unit, in the reorganisation's order: `share` of `from_unit` becomes
-- part of `to_unit`.
CREATE TABLE reorganisation_parts (
    seq               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reorganisation_id TEXT NOT NULL REFERENCES reorganisations (id) DEFERRABLE INITIALLY DEFERRED,
    from_unit         TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    to_unit           TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    share             NUMERIC NOT NULL CHECK (share > 0 AND share <= 1)
);
CREATE INDEX reorganisation_parts_reorganisation ON reorganisation_parts (reorganisation_id);
