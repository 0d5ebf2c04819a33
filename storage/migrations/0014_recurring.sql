-- Recurring activities: a series (每周六上午小区巡逻 名额4) posts each occurrence as its own wish, with its own card
-- and slots, a configurable number of days ahead. An occurrence day is posted once (the primary key); members who
-- claimed the whole series are claimed into each occurrence when it is posted (while it has a free slot).
CREATE TABLE recurring_series (
    id         INTEGER PRIMARY KEY,
    branch_id  INTEGER NOT NULL REFERENCES branches (id),
    text       TEXT NOT NULL,
    title      TEXT NOT NULL,
    frequency  TEXT NOT NULL,
    weekday    INTEGER,
    nth        INTEGER,
    monthday   INTEGER,
    at_time    TEXT,
    starts_on  TEXT NOT NULL,
    created_by INTEGER REFERENCES members (id),
    created_at TEXT NOT NULL,
    ended_at   TEXT
);
CREATE INDEX recurring_series_branch ON recurring_series (branch_id);

CREATE TABLE recurring_occurrences (
    series_id INTEGER NOT NULL REFERENCES recurring_series (id),
    occurs_on TEXT NOT NULL,
    wish_id   INTEGER NOT NULL REFERENCES wishes (id),
    PRIMARY KEY (series_id, occurs_on)
);
CREATE INDEX recurring_occurrences_wish ON recurring_occurrences (wish_id);

CREATE TABLE recurring_members (
    series_id INTEGER NOT NULL REFERENCES recurring_series (id),
    member_id INTEGER NOT NULL REFERENCES members (id),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (series_id, member_id)
);
