-- Small values every instance of the bot shares: a platform's access token (WeCom), what one instance set up at the
-- platform for all (the Telegram webhook), and short leases so one instance does a thing while the others wait.
-- expires_at is UTC ISO text (NULL: kept until replaced); a value past it reads as absent and may be taken over.
CREATE TABLE shared_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    expires_at TEXT
);
