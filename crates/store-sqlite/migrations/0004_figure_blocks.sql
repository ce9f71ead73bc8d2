-- Figures in blocks. A row per figure (0003) costs SQLite a b-tree insert of eleven values,
-- which held a bulk import to ~230,000 figures a second, and reading one year of the country
-- (three million rows) back took seconds. Now the figures of one (period, indicator) are
-- packed into blocks of ~32 KiB (chitieu-store's `block` module: varints, ~8 bytes a figure),
-- so an import writes a few thousand rows instead of millions and a roll-up reads a year's
-- blocks and decodes them in memory. Figures stay append-only: a later figure goes into a
-- new block, a block is never changed.
--
--   first_seq  the seq of the block's first figure (unique: every figure has its own seq),
--              also the rowid, so blocks are kept in the order they were written
--   period, indicator   as in 0003 (year × 19 + sub; indicators.seq)
--   n          the number of figures in the block
--   unit_min, unit_max   the least and greatest units.seq of its figures
--   known_min  the earliest day (since 1970-01-01) one of its figures is known from (reported,
--              else the period's first day)
--   data       the block
--
-- A read of some units (a province's review of a national database) or as of a date skips,
-- by these columns, the blocks that cannot hold a figure it wants, without decoding them.
--
-- The rows of 0003 cannot be packed in SQL: the table is renamed here and the store moves
-- its rows into blocks, in Rust, in one transaction, the first time it opens the file
-- (then drops `figures_0003`).

ALTER TABLE figures RENAME TO figures_0003;

CREATE TABLE figure_blocks (
    first_seq INTEGER PRIMARY KEY,
    period    INTEGER NOT NULL CHECK (period BETWEEN 0 AND 189999),
    indicator INTEGER NOT NULL,
    n         INTEGER NOT NULL CHECK (n > 0),
    unit_min  INTEGER NOT NULL,
    unit_max  INTEGER NOT NULL CHECK (unit_max >= unit_min),
    known_min INTEGER NOT NULL,
    data      BLOB NOT NULL
) STRICT;

CREATE INDEX figure_blocks_key ON figure_blocks (period, indicator);
