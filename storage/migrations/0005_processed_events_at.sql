-- Handled updates are forgotten after a week by a daily job; it deletes by the time they were recorded.
CREATE INDEX processed_events_at ON processed_events (at);
