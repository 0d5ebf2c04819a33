-- An outbox entry taken for delivery is leased, until a moment, by the deliverer that took it: no other deliverer
-- takes it meanwhile, and the holder renews the lease just before it sends, so an entry whose lease ran out and was
-- taken by another (a new leader) is never sent by both. A deliverer that dies leaves its leases to run out.
ALTER TABLE outbox ADD COLUMN leased_until TEXT;
ALTER TABLE outbox ADD COLUMN leased_by TEXT;
