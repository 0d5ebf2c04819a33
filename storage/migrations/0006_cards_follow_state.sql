-- Every message with buttons is a card that follows its state: claim, review and overdue cards know their claim
-- and who sees them, and carry the notice (as the outbox stores it) to render again; a card about several wishes
-- (a nudge) lists them with the version it last showed. A wish ended by a secretary (结束认领) records who did it,
-- so "closed" by hand stays distinguishable from "completed" (every slot confirmed, closed_by NULL).
ALTER TABLE cards ADD COLUMN claim_id INTEGER REFERENCES claims (id);
ALTER TABLE cards ADD COLUMN viewer_id INTEGER REFERENCES members (id);
ALTER TABLE cards ADD COLUMN notice TEXT;
CREATE INDEX cards_claim ON cards (claim_id);

CREATE TABLE card_wishes (
    card_id      INTEGER NOT NULL REFERENCES cards (id) ON DELETE CASCADE,
    wish_id      INTEGER NOT NULL REFERENCES wishes (id),
    seen_version INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (card_id, wish_id)
);
CREATE INDEX card_wishes_wish ON card_wishes (wish_id);

ALTER TABLE wishes ADD COLUMN closed_by INTEGER REFERENCES members (id);
