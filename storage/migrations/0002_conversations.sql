-- Where a person is in a multi-step chat conversation (report-in, reporting done, a return reason), so a restart
-- in the middle of one loses nothing.
CREATE TABLE conversations (
    platform   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);
