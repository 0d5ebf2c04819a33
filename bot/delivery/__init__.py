"""Delivering decisions: the outbox sender, the card sync and the pacing they share."""
