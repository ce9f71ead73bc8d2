-- Issue 4: observations at national scale (~33 million figures). The row-per-figure table
-- with text ids and text decimals (~100 bytes a row) is replaced by `figures`, a table of
-- small integers (~35 bytes a row), keyed so that one year's figures are one range of the
-- primary key. The codecs are chitieu-store's `figure` module:
--
--   period      year × 19 + sub (0 the year, 1–2 halves, 3–6 quarters, 7–18 months)
--   indicator   indicators.seq       unit   units.seq
--   seq         insertion order over all figures: load() returns figures in it, and of two
--               figures of one (unit, indicator, period) known on the same day the later
--               one is in force. History is kept: a later figure is a new row.
--   mantissa    the value × 10^scale, scale as written (41.30 is 4130, 2); NULL when it
--               does not fit 64 bits (or for -0), then `exact` holds the value's text
--   flags       standing × 4 + review state (Standing::ALL, ReviewState::ALL order)
--   source, reported_by   texts.id: texts repeat, so they are stored once
--   reported    days since 1970-01-01
--
-- WITHOUT ROWID: the primary key is the table, no hidden rowid and no second b-tree. No
-- foreign keys: a unit or an indicator is never deleted, the store checks both before
-- writing, and a per-row lookup of the parents would cost more than the insert itself.

CREATE TABLE texts (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE figures (
    period      INTEGER NOT NULL CHECK (period BETWEEN 0 AND 189999),
    indicator   INTEGER NOT NULL,
    unit        INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    mantissa    INTEGER,
    scale       INTEGER NOT NULL CHECK (scale BETWEEN 0 AND 28),
    flags       INTEGER NOT NULL CHECK (flags BETWEEN 0 AND 11),
    source      INTEGER,
    reported_by INTEGER,
    reported    INTEGER,
    exact       TEXT CHECK ((mantissa IS NULL) = (exact IS NOT NULL)),
    PRIMARY KEY (period, indicator, unit, seq)
) STRICT, WITHOUT ROWID;

-- Counters kept by the store: `figures` is the next figure's seq (a max(seq) would scan the
-- table, whose key does not start with seq).
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

-- The stored observations move over, in SQL: rust_decimal wrote plain text ("-12.50", no
-- exponent), so the mantissa is the text without its dot when at most 18 digits remain,
-- and the scale the number of digits after the dot; anything longer keeps its text.
INSERT INTO texts (text)
    SELECT source FROM observations WHERE source IS NOT NULL
    UNION
    SELECT reported_by FROM observations WHERE reported_by IS NOT NULL;

INSERT INTO figures (period, indicator, unit, seq, mantissa, scale, flags, source, reported_by,
                     reported, exact)
SELECT
    CAST(substr(o.period, 1, 4) AS INTEGER) * 19 + CASE
        WHEN length(o.period) = 4 THEN 0
        WHEN substr(o.period, 6, 1) = 'H' THEN CAST(substr(o.period, 7) AS INTEGER)
        WHEN substr(o.period, 6, 1) = 'Q' THEN 2 + CAST(substr(o.period, 7) AS INTEGER)
        ELSE 6 + CAST(substr(o.period, 6) AS INTEGER)
    END,
    i.seq,
    u.seq,
    o.seq,
    CASE WHEN v.fits THEN CAST(replace(o.value, '.', '') AS INTEGER) END,
    CASE WHEN instr(o.value, '.') > 0 THEN length(o.value) - instr(o.value, '.') ELSE 0 END,
    CASE o.standing WHEN 'estimate' THEN 0 WHEN 'preliminary' THEN 4 ELSE 8 END
        + CASE o.state WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 WHEN 'returned' THEN 2 ELSE 3 END,
    (SELECT id FROM texts WHERE text = o.source),
    (SELECT id FROM texts WHERE text = o.reported_by),
    CAST(julianday(o.reported) - 2440587.5 AS INTEGER),
    CASE WHEN NOT v.fits THEN o.value END
FROM observations o
JOIN units u ON u.id = o.unit
JOIN indicators i ON i.id = o.indicator
JOIN (SELECT seq,
             length(ltrim(replace(replace(value, '-', ''), '.', ''), '0')) <= 18
             AND NOT (value LIKE '-%' AND ltrim(replace(replace(value, '-', ''), '.', ''), '0') = '')
                 AS fits
      FROM observations) v ON v.seq = o.seq;

INSERT INTO counters (name, value)
    SELECT 'figures', coalesce(max(seq), 0) + 1 FROM observations;

DROP TABLE observations;
