-- Issue 5: the office's own text for a review (causes, directions, number, recipients, who
-- signs), one per unit and review date. Saving replaces it: the office redrafts until it signs.
CREATE TABLE review_texts (
    unit         TEXT NOT NULL REFERENCES units (id) DEFERRABLE INITIALLY DEFERRED,
    as_of        DATE NOT NULL,
    number       TEXT,
    layout       TEXT CHECK (layout IN ('party', 'state')),
    issuer       TEXT,
    superior     TEXT,
    place        TEXT,
    causes       TEXT NOT NULL,
    directions   TEXT NOT NULL,
    recipients   TEXT NOT NULL,
    signer       TEXT,
    signer_title TEXT,
    PRIMARY KEY (unit, as_of)
);
