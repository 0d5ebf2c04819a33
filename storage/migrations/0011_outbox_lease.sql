-- An outbox entry taken for delivery is leased until a moment: a deliverer that dies mid-send leaves it leased,
-- and only after the lease ends may another (a new leader) take it again; one still sending is never doubled.
ALTER TABLE outbox ADD COLUMN leased_until TEXT;
