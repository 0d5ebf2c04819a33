-- Verified hours (issue 15, item 3). Every service record says how its hours are known: 'verified' (the member
-- entered the activity's sign-in code at the place, within its window, and reported no more than its length),
-- 'confirmed' (a secretary confirmed them or logged them) or 'self_reported' (the member's word, not yet confirmed).
ALTER TABLE services ADD COLUMN provenance TEXT NOT NULL DEFAULT 'self_reported';
UPDATE services SET provenance = 'confirmed' WHERE confirmed = 1;

-- A sign-in code a secretary opened for one micro-wish (the activity): the 6 digits are never stored, only an
-- HMAC-SHA256 of them under a random salt of the row; it takes check-ins until expires_at. hours is the activity's
-- length: reported hours up to it count as verified for members who checked in.
CREATE TABLE signin_codes (
    id         INTEGER PRIMARY KEY,
    wish_id    INTEGER NOT NULL REFERENCES wishes (id),
    salt       TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    hours      REAL NOT NULL CHECK (hours > 0),
    opened_by  INTEGER REFERENCES members (id),
    opened_at  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    closed_at  TEXT
);
CREATE INDEX signin_codes_open ON signin_codes (expires_at) WHERE closed_at IS NULL;
CREATE INDEX signin_codes_wish ON signin_codes (wish_id);

-- Who checked in to which activity, once per member and wish.
CREATE TABLE checkins (
    wish_id    INTEGER NOT NULL REFERENCES wishes (id),
    member_id  INTEGER NOT NULL REFERENCES members (id),
    signin_id  INTEGER NOT NULL REFERENCES signin_codes (id),
    at         TEXT NOT NULL,
    PRIMARY KEY (wish_id, member_id)
);

-- Wrong codes entered, per person: a person gets a few wrong tries per window (brute-force limit), counted here
-- so that every instance sees the same count.
CREATE TABLE checkin_failures (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id),
    at        TEXT NOT NULL
);
CREATE INDEX checkin_failures_member ON checkin_failures (member_id, at);
