-- Pairings (结对帮扶): a member, or a volunteer team under its leader, paired with a household that every shared
-- surface names only by the alias the secretary chose (contact is for the secretary's private view). next_due is
-- kept on the row so the daily sweep reads only the pairings due soon (pairings_due). A visit is reported as a
-- done wish is, with its service row (services.id) that counts once the secretary confirms it.
CREATE TABLE pairings (
    id            INTEGER PRIMARY KEY,
    branch_id     INTEGER NOT NULL REFERENCES branches (id),
    member_id     INTEGER NOT NULL REFERENCES members (id),
    team_id       INTEGER REFERENCES teams (id),
    alias         TEXT NOT NULL,
    contact       TEXT NOT NULL DEFAULT '',
    rhythm        TEXT NOT NULL,
    every_days    INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'active',
    started_on    TEXT NOT NULL,
    last_visit_on TEXT,
    next_due      TEXT NOT NULL,
    created_by    INTEGER REFERENCES members (id),
    created_at    TEXT NOT NULL,
    ended_at      TEXT
);
CREATE INDEX pairings_due ON pairings (status, next_due, id);
CREATE INDEX pairings_member ON pairings (member_id);
CREATE INDEX pairings_branch ON pairings (branch_id);

CREATE TABLE pairing_visits (
    id           INTEGER PRIMARY KEY,
    pairing_id   INTEGER NOT NULL REFERENCES pairings (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    visited_on   TEXT NOT NULL,
    hours        REAL NOT NULL CHECK (hours > 0),
    note         TEXT NOT NULL DEFAULT '',
    photo_ref    TEXT,
    status       TEXT NOT NULL DEFAULT 'reported',
    service_id   INTEGER REFERENCES services (id),
    confirmed_by INTEGER REFERENCES members (id),
    confirmed_at TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX pairing_visits_pairing ON pairing_visits (pairing_id, id);
