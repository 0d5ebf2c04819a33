-- Emergency mode: the lists of non-responders sent to secretaries (outbox kind 'emergency_unanswered') were stored
-- as their rendered text, names included, which /leave did not erase. They now carry member ids and are named when
-- sent (a member who left is no longer named). The text of the lists already sent or given up is erased here.
UPDATE outbox SET payload = '' WHERE kind = 'emergency_unanswered' AND status <> 'pending' AND payload <> '';
