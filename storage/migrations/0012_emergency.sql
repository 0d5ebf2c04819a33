-- Emergency mode (战时应急): each member's emergency post and grid, the calls, every member called with their
-- answer, and the messages that follow a call (the group boards and the members' prompts). Outbox entries of a call
-- carry a priority, so they are delivered before anything else queued.
CREATE TABLE member_emergency_posts (
    member_id  INTEGER PRIMARY KEY REFERENCES members (id),
    post       TEXT NOT NULL DEFAULT '',
    grid       TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

CREATE TABLE emergencies (
    id           INTEGER PRIMARY KEY,
    committee_id INTEGER NOT NULL REFERENCES committees (id),
    branch_id    INTEGER REFERENCES branches (id),
    text         TEXT NOT NULL,
    drill        INTEGER NOT NULL DEFAULT 0,
    started_by   INTEGER NOT NULL REFERENCES members (id),
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    ended_by     INTEGER REFERENCES members (id),
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX emergencies_open ON emergencies (committee_id, ended_at);

CREATE TABLE emergency_calls (
    emergency_id INTEGER NOT NULL REFERENCES emergencies (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    branch_id    INTEGER NOT NULL REFERENCES branches (id),
    answer       TEXT CHECK (answer IS NULL OR answer IN ('yes', 'later', 'no')),
    note         TEXT NOT NULL DEFAULT '',
    called_at    TEXT NOT NULL,
    answered_at  TEXT,
    prompts      INTEGER NOT NULL DEFAULT 1,
    listed_at    TEXT,
    changes      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (emergency_id, member_id)
);
-- A board is stale when its call's version plus the answers given since (the sum of ``changes`` of its calls) is
-- more than it shows: an answer touches only its own row, so 2,000 answers at once do not queue on one hot row.
CREATE INDEX emergency_calls_changes ON emergency_calls (emergency_id, branch_id, changes);

CREATE TABLE emergency_messages (
    id               INTEGER PRIMARY KEY,
    emergency_id     INTEGER NOT NULL REFERENCES emergencies (id),
    kind             TEXT NOT NULL CHECK (kind IN ('board', 'prompt')),
    branch_id        INTEGER REFERENCES branches (id),
    member_id        INTEGER REFERENCES members (id),
    platform         TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    thread_id        TEXT,
    message_id       TEXT NOT NULL,
    lang             TEXT NOT NULL DEFAULT 'zh',
    rendered_version INTEGER NOT NULL DEFAULT 0,
    last_edit_at     TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (platform, chat_id, message_id)
);
CREATE INDEX emergency_messages_of ON emergency_messages (emergency_id, kind);

ALTER TABLE wishes ADD COLUMN emergency_id INTEGER REFERENCES emergencies (id);
ALTER TABLE wishes ADD COLUMN emergency_post TEXT NOT NULL DEFAULT '';
ALTER TABLE wishes ADD COLUMN shift TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_priority ON outbox (status, priority, id);
