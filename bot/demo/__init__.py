"""`ebranch demo`: the real bot against the local Telegram sandbox, seeded, shown in a browser."""
