-- A deadline may carry a local time of day ("HH:MM"; NULL: the wish closes at the end of its day), and a wish
-- records when the bot found its deadline passed and had its cards say 已截止 (NULL while it takes claims), so the
-- deadline job brings each wish's cards up to date once, across restarts. Existing rows keep both NULL.
ALTER TABLE wishes ADD COLUMN deadline_time TEXT;
ALTER TABLE wishes ADD COLUMN expired_at TEXT;
CREATE INDEX wishes_deadline_due ON wishes (deadline) WHERE status = 'open' AND expired_at IS NULL AND deadline IS NOT NULL;
