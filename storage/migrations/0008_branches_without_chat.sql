-- A branch may exist before its group chat does (`ebranch setup` builds the structure offline; `/branch NAME` in
-- the group binds it later), so its chat becomes optional. SQLite cannot drop NOT NULL in place: the table is
-- rebuilt with the same columns, rows and ids (the runner turns foreign keys off for a migration and checks them
-- before it commits). A bound chat stays unique (NULLs never clash in a UNIQUE constraint); a chat is a platform
-- and an id together, and a forum topic needs a chat.
-- dialect: sqlite
CREATE TABLE branches_rebuilt (
    id                    INTEGER PRIMARY KEY,
    committee_id          INTEGER NOT NULL REFERENCES committees (id),
    name                  TEXT NOT NULL,
    chat_platform         TEXT,
    chat_id               TEXT,
    thread_id             TEXT,
    active                INTEGER NOT NULL DEFAULT 1,
    done_counts_as_served INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT NOT NULL,
    UNIQUE (chat_platform, chat_id),
    UNIQUE (committee_id, name),
    CHECK ((chat_platform IS NULL) = (chat_id IS NULL)),
    CHECK (chat_id IS NOT NULL OR thread_id IS NULL)
);
INSERT INTO branches_rebuilt (id, committee_id, name, chat_platform, chat_id, thread_id, active,
                              done_counts_as_served, created_at)
SELECT id, committee_id, name, chat_platform, chat_id, thread_id, active, done_counts_as_served, created_at
FROM branches;
DROP TABLE branches;
ALTER TABLE branches_rebuilt RENAME TO branches;
-- dialect: postgresql
ALTER TABLE branches ALTER COLUMN chat_platform DROP NOT NULL;
ALTER TABLE branches ALTER COLUMN chat_id DROP NOT NULL;
ALTER TABLE branches ADD CHECK ((chat_platform IS NULL) = (chat_id IS NULL));
ALTER TABLE branches ADD CHECK (chat_id IS NOT NULL OR thread_id IS NULL);
-- dialect: all
