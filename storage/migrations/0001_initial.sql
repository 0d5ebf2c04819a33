-- The e-branch schema: committees, branches, people, wishes, claims, services, and the bot's own bookkeeping.
-- Times are ISO-8601 UTC text ("2026-11-23T10:00:00+00:00"); dates are ISO text in the configured time zone.

CREATE TABLE committees (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    chat_platform TEXT,
    chat_id       TEXT,
    thread_id     TEXT,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX committees_chat ON committees (chat_platform, chat_id) WHERE chat_id IS NOT NULL;

CREATE TABLE branches (
    id                    INTEGER PRIMARY KEY,
    committee_id          INTEGER NOT NULL REFERENCES committees (id),
    name                  TEXT NOT NULL,
    chat_platform         TEXT NOT NULL,
    chat_id               TEXT NOT NULL,
    thread_id             TEXT,
    active                INTEGER NOT NULL DEFAULT 1,
    done_counts_as_served INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL,
    UNIQUE (chat_platform, chat_id),
    UNIQUE (committee_id, name)
);

CREATE TABLE members (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    phone               TEXT,
    workplace           TEXT NOT NULL DEFAULT '',
    workplace_branch    TEXT NOT NULL DEFAULT '',
    skills              TEXT NOT NULL DEFAULT '[]',
    commitment          TEXT NOT NULL DEFAULT '',
    home_branch_id      INTEGER REFERENCES branches (id),
    reported_at         TEXT,
    left_at             TEXT,
    language            TEXT,
    nudges_paused_until TEXT,
    created_at          TEXT NOT NULL
);
CREATE UNIQUE INDEX members_phone ON members (phone) WHERE phone IS NOT NULL;
CREATE INDEX members_home_branch ON members (home_branch_id);

CREATE TABLE accounts (
    platform     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    member_id    INTEGER NOT NULL REFERENCES members (id),
    display_name TEXT NOT NULL DEFAULT '',
    language     TEXT,
    reachable    INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
CREATE INDEX accounts_member ON accounts (member_id);

CREATE TABLE activity_branches (
    member_id INTEGER NOT NULL REFERENCES members (id),
    branch_id INTEGER NOT NULL REFERENCES branches (id),
    PRIMARY KEY (member_id, branch_id)
);

CREATE TABLE branch_secretaries (
    branch_id  INTEGER NOT NULL REFERENCES branches (id),
    member_id  INTEGER NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (branch_id, member_id)
);

CREATE TABLE committee_admins (
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (committee_id, member_id)
);

CREATE TABLE teams (
    id               INTEGER PRIMARY KEY,
    branch_id        INTEGER NOT NULL REFERENCES branches (id),
    name             TEXT NOT NULL,
    leader_member_id INTEGER REFERENCES members (id),
    skill            TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    UNIQUE (branch_id, name)
);

CREATE TABLE team_members (
    team_id   INTEGER NOT NULL REFERENCES teams (id),
    member_id INTEGER NOT NULL REFERENCES members (id),
    PRIMARY KEY (team_id, member_id)
);

CREATE TABLE wishes (
    id          INTEGER PRIMARY KEY,
    branch_id   INTEGER NOT NULL REFERENCES branches (id),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category    TEXT NOT NULL DEFAULT '',
    slots       INTEGER NOT NULL CHECK (slots >= 1),
    team_claim  INTEGER NOT NULL DEFAULT 0,
    deadline    TEXT,
    urgency     TEXT NOT NULL DEFAULT 'normal' CHECK (urgency IN ('normal', 'emergency')),
    status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    created_by  INTEGER NOT NULL REFERENCES members (id),
    created_at  TEXT NOT NULL,
    closed_at   TEXT,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX wishes_branch_status ON wishes (branch_id, status);

CREATE TABLE claims (
    id            INTEGER PRIMARY KEY,
    wish_id       INTEGER NOT NULL REFERENCES wishes (id),
    member_id     INTEGER NOT NULL REFERENCES members (id),
    team_id       INTEGER REFERENCES teams (id),
    status        TEXT NOT NULL CHECK (status IN ('claimed', 'done', 'confirmed', 'withdrawn', 'released')),
    claimed_at    TEXT NOT NULL,
    done_at       TEXT,
    hours         REAL,
    note          TEXT NOT NULL DEFAULT '',
    photo_ref     TEXT,
    rating        INTEGER CHECK (rating IS NULL OR rating BETWEEN 1 AND 5),
    confirmed_by  INTEGER REFERENCES members (id),
    confirmed_at  TEXT,
    return_reason TEXT NOT NULL DEFAULT '',
    ended_at      TEXT
);
CREATE UNIQUE INDEX claims_one_active_per_member
    ON claims (wish_id, member_id) WHERE status IN ('claimed', 'done', 'confirmed');
CREATE INDEX claims_wish_status ON claims (wish_id, status);
CREATE INDEX claims_member ON claims (member_id, status);

-- The last line of defence against over-filling: whatever code path inserts, a wish never holds more active
-- claims than it has slots.
-- dialect: sqlite
CREATE TRIGGER claims_never_overfill
BEFORE INSERT ON claims
WHEN NEW.status = 'claimed'
 AND (SELECT count(*) FROM claims WHERE wish_id = NEW.wish_id AND status IN ('claimed', 'done', 'confirmed'))
     >= (SELECT slots FROM wishes WHERE id = NEW.wish_id)
BEGIN
    SELECT RAISE(ABORT, 'wish_full');
END;
-- dialect: postgresql
-- SQLite runs one writer at a time, so its trigger's count is never stale. PostgreSQL runs claims concurrently:
-- the trigger first locks the wish's row, so claims on one wish queue there, and (READ COMMITTED) the count that
-- follows sees every claim committed before the lock was granted. Claims on different wishes do not wait.
CREATE FUNCTION claims_never_overfill() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wanted INTEGER;
BEGIN
    SELECT slots INTO wanted FROM wishes WHERE id = NEW.wish_id FOR UPDATE;
    IF (SELECT count(*) FROM claims WHERE wish_id = NEW.wish_id AND status IN ('claimed', 'done', 'confirmed'))
       >= wanted THEN
        RAISE EXCEPTION 'wish_full' USING ERRCODE = 'check_violation', CONSTRAINT = 'wish_full';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER claims_never_overfill BEFORE INSERT ON claims
FOR EACH ROW WHEN (NEW.status = 'claimed') EXECUTE FUNCTION claims_never_overfill();
-- dialect: all

CREATE TABLE waitlist (
    id         INTEGER PRIMARY KEY,
    wish_id    INTEGER NOT NULL REFERENCES wishes (id),
    member_id  INTEGER NOT NULL REFERENCES members (id),
    team_id    INTEGER REFERENCES teams (id),
    created_at TEXT NOT NULL,
    UNIQUE (wish_id, member_id)
);

CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    member_id   INTEGER NOT NULL REFERENCES members (id),
    branch_id   INTEGER NOT NULL REFERENCES branches (id),
    served_on   TEXT NOT NULL,
    hours       REAL NOT NULL DEFAULT 0 CHECK (hours >= 0),
    note        TEXT NOT NULL DEFAULT '',
    wish_id     INTEGER REFERENCES wishes (id),
    claim_id    INTEGER UNIQUE REFERENCES claims (id),
    confirmed   INTEGER NOT NULL DEFAULT 0,
    rating      INTEGER,
    recorded_by INTEGER REFERENCES members (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX services_member_date ON services (member_id, served_on);
CREATE INDEX services_branch_date ON services (branch_id, served_on);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    detail    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_actor ON audit_log (actor_id);

-- Messages that show a wish and must follow its state: the group card, private cards (WeCom template cards).
CREATE TABLE cards (
    id               INTEGER PRIMARY KEY,
    wish_id          INTEGER NOT NULL REFERENCES wishes (id),
    platform         TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    thread_id        TEXT,
    message_id       TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT 'group',
    rendered_version INTEGER NOT NULL DEFAULT 0,
    last_edit_at     TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (platform, chat_id, message_id)
);
CREATE INDEX cards_wish ON cards (wish_id);

-- Everything the bot decided to send, recorded before it is sent; delivery marks it.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    dedupe_key  TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    platform    TEXT NOT NULL,
    chat_id     TEXT,
    thread_id   TEXT,
    member_id   INTEGER REFERENCES members (id),
    payload     TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    not_before  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    message_id  TEXT,
    error       TEXT
);
CREATE INDEX outbox_pending ON outbox (status, not_before);

-- Updates and callbacks already handled, so replays after a restart change nothing.
CREATE TABLE processed_events (
    platform TEXT NOT NULL,
    key      TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (platform, key)
);

-- Wish texts a secretary sent that could not be read yet; kept until fixed.
CREATE TABLE drafts (
    platform   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    branch_id  INTEGER REFERENCES branches (id),
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);

-- When each scheduled job last ran, so downtime is caught up once.
CREATE TABLE job_runs (
    job      TEXT PRIMARY KEY,
    last_run TEXT NOT NULL
);
