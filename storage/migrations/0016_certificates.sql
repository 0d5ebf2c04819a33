-- The 志愿服务记录证明 (issue 15, items 4 and 5): numbered certificates, the key their verification codes are made
-- with, members' requests to correct a service record, and points redeemed (时间银行, 爱心超市).

-- The HMAC key of the verification codes: one random row made at the first certificate, kept in the database so
-- that `ebranch verify` answers on any copy of it and no key is ever written in code or config.
CREATE TABLE certificate_keys (
    id         INTEGER PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One issued certificate: what it says (content, canonical JSON), its digest and its verification code.
CREATE TABLE certificates (
    id           INTEGER PRIMARY KEY,
    number       TEXT NOT NULL UNIQUE,
    code         TEXT NOT NULL UNIQUE,
    member_id    INTEGER REFERENCES members (id),
    committee_id INTEGER REFERENCES committees (id),
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    total_hours  REAL NOT NULL,
    content      TEXT NOT NULL,
    digest       TEXT NOT NULL,
    issued_by    INTEGER REFERENCES members (id),
    issued_at    TEXT NOT NULL
);
CREATE INDEX certificates_member ON certificates (member_id);
CREATE INDEX certificates_committee ON certificates (committee_id);

-- A member asks for a record to be corrected; a secretary accepts or refuses it. Both stay (and the audit log
-- records each step).
CREATE TABLE corrections (
    id           INTEGER PRIMARY KEY,
    service_id   INTEGER NOT NULL REFERENCES services (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    hours        REAL,
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused')),
    requested_at TEXT NOT NULL,
    decided_by   INTEGER REFERENCES members (id),
    decided_at   TEXT,
    answer       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX corrections_service ON corrections (service_id);
CREATE UNIQUE INDEX corrections_one_pending ON corrections (service_id) WHERE status = 'pending';

-- Points spent (a 时间银行 withdrawal, an 爱心超市 purchase): the balance is what the points rule gives for the
-- member's hours less these.
CREATE TABLE points_spent (
    id        INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members (id),
    points    REAL NOT NULL CHECK (points > 0),
    note      TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL
);
CREATE INDEX points_spent_member ON points_spent (member_id);
