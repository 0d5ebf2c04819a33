-- Entries sent together in one platform call (a WeCom card to up to 1,000 members) share a batch: its key is
-- recorded before the call and reused when the call is retried after an unanswered attempt, so the platform, which
-- refuses a card id it has seen, never delivers the batch twice.
ALTER TABLE outbox ADD COLUMN batch TEXT;
CREATE INDEX outbox_batch ON outbox (batch) WHERE batch IS NOT NULL;
