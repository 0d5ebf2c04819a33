-- A reported visit (结对走访) gets a review card, like a done wish: the secretary's card follows the visit (its
-- version goes up on each change) and is remembered in `cards`, which so far showed only wishes: a card shows a wish
-- or a visit (`visit_id`), and SQLite cannot drop NOT NULL in place, so the table is rebuilt with the same columns,
-- rows and ids (the runner turns foreign keys off for a migration and checks them before it commits). A visit sent
-- back by the secretary (退回) keeps who, when and why.
-- dialect: sqlite
CREATE TABLE cards_rebuilt (
    id               INTEGER PRIMARY KEY,
    wish_id          INTEGER REFERENCES wishes (id),
    platform         TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    thread_id        TEXT,
    message_id       TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT 'group',
    rendered_version INTEGER NOT NULL DEFAULT 0,
    last_edit_at     TEXT,
    created_at       TEXT NOT NULL,
    claim_id         INTEGER REFERENCES claims (id),
    viewer_id        INTEGER REFERENCES members (id),
    notice           TEXT,
    visit_id         INTEGER REFERENCES pairing_visits (id),
    UNIQUE (platform, chat_id, message_id),
    CHECK ((wish_id IS NULL) <> (visit_id IS NULL))
);
INSERT INTO cards_rebuilt (id, wish_id, platform, chat_id, thread_id, message_id, kind, rendered_version,
                           last_edit_at, created_at, claim_id, viewer_id, notice)
SELECT id, wish_id, platform, chat_id, thread_id, message_id, kind, rendered_version, last_edit_at, created_at,
       claim_id, viewer_id, notice
FROM cards;
DROP TABLE cards;
ALTER TABLE cards_rebuilt RENAME TO cards;
CREATE INDEX cards_wish ON cards (wish_id);
CREATE INDEX cards_claim ON cards (claim_id);
-- dialect: postgresql
ALTER TABLE cards ALTER COLUMN wish_id DROP NOT NULL;
ALTER TABLE cards ADD COLUMN visit_id INTEGER REFERENCES pairing_visits (id);
ALTER TABLE cards ADD CHECK ((wish_id IS NULL) <> (visit_id IS NULL));
-- dialect: all
CREATE INDEX cards_visit ON cards (visit_id);
ALTER TABLE pairing_visits ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE pairing_visits ADD COLUMN returned_by INTEGER REFERENCES members (id);
ALTER TABLE pairing_visits ADD COLUMN returned_at TEXT;
ALTER TABLE pairing_visits ADD COLUMN return_reason TEXT NOT NULL DEFAULT '';
