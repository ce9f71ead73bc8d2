-- Issue 4: observations at national scale (~33 million figures). The row-per-figure table
-- with text ids is replaced by `figures`, keyed by integers, so that one year's figures are
-- one range of the primary key and COPY writes them at full speed. The same columns and
-- codecs as on SQLite (chitieu-store's `figure` module), in native types:
--
--   period      year × 19 + sub (0 the year, 1–2 halves, 3–6 quarters, 7–18 months)
--   indicator   indicators.seq       unit   units.seq
--   seq         insertion order over all figures (load() order; the later of two figures
--               known the same day is in force). History is kept: a later figure is a new row.
--   mantissa    the value × 10^scale, scale as written (41.30 is 4130, 2); NULL when it
--               does not fit 64 bits, then `exact` holds the value as NUMERIC
--   flags       standing × 4 + review state (Standing::ALL, ReviewState::ALL order)
--   source, reported_by   texts.id
--
-- No foreign keys: units and indicators are never deleted, the store checks both before
-- writing, and checking each row would slow COPY down several times.

CREATE TABLE texts (
    id   BIGINT PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
);

CREATE TABLE figures (
    period      INTEGER NOT NULL CHECK (period BETWEEN 0 AND 189999),
    indicator   INTEGER NOT NULL,
    unit        INTEGER NOT NULL,
    seq         BIGINT NOT NULL,
    mantissa    BIGINT,
    scale       SMALLINT NOT NULL CHECK (scale BETWEEN 0 AND 28),
    flags       SMALLINT NOT NULL CHECK (flags BETWEEN 0 AND 11),
    source      BIGINT,
    reported_by BIGINT,
    reported    DATE,
    exact       NUMERIC CHECK ((mantissa IS NULL) = (exact IS NOT NULL)),
    PRIMARY KEY (period, indicator, unit, seq)
);

-- Counters kept by the store: `figures` is the next figure's seq.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO texts (id, text)
    SELECT row_number() OVER (ORDER BY t), t FROM (
        SELECT source AS t FROM observations WHERE source IS NOT NULL
        UNION
        SELECT reported_by FROM observations WHERE reported_by IS NOT NULL) s;

INSERT INTO figures (period, indicator, unit, seq, mantissa, scale, flags, source, reported_by,
                     reported, exact)
SELECT
    substr(o.period, 1, 4)::int * 19 + CASE
        WHEN length(o.period) = 4 THEN 0
        WHEN substr(o.period, 6, 1) = 'H' THEN substr(o.period, 7)::int
        WHEN substr(o.period, 6, 1) = 'Q' THEN 2 + substr(o.period, 7)::int
        ELSE 6 + substr(o.period, 6)::int
    END,
    i.seq,
    u.seq,
    o.seq,
    CASE WHEN abs(o.value) * power(10::numeric, scale(o.value)) <= 9223372036854775807
         THEN (o.value * power(10::numeric, scale(o.value)))::bigint END,
    scale(o.value),
    CASE o.standing WHEN 'estimate' THEN 0 WHEN 'preliminary' THEN 4 ELSE 8 END
        + CASE o.state WHEN 'draft' THEN 0 WHEN 'submitted' THEN 1 WHEN 'returned' THEN 2 ELSE 3 END,
    (SELECT id FROM texts WHERE text = o.source),
    (SELECT id FROM texts WHERE text = o.reported_by),
    o.reported,
    CASE WHEN abs(o.value) * power(10::numeric, scale(o.value)) > 9223372036854775807
         THEN o.value END
FROM observations o
JOIN units u ON u.id = o.unit
JOIN indicators i ON i.id = o.indicator;

INSERT INTO counters (name, value)
    SELECT 'figures', coalesce(max(seq), 0) + 1 FROM observations;

DROP TABLE observations;
