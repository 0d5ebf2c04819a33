"""SQLite storage: the only place with SQL; implements the unit-of-work port of bot.ports."""
