-- Indexes for the weekly digest, nudges and the ledger at city scale (1,000 branches, 100,000 members, 1,000,000
-- claims): each lets a per-branch or per-member count be answered from the index alone, without reading rows.
-- Measured in docs/benchmarks.md (benchmarks/city_scale.py); three replace an index that is their prefix.

DROP INDEX members_home_branch;
CREATE INDEX members_branch_status ON members (home_branch_id, left_at, reported_at, created_at);

DROP INDEX services_member_date;
CREATE INDEX services_member_counted ON services (member_id, served_on, confirmed);
CREATE INDEX services_branch_confirmed ON services (branch_id, confirmed, created_at, claim_id);

CREATE INDEX claims_wish_claimed ON claims (wish_id, claimed_at);

DROP INDEX wishes_branch_status;
CREATE INDEX wishes_branch_closed ON wishes (branch_id, status, closed_at);
CREATE INDEX wishes_branch_created ON wishes (branch_id, created_at, closed_at);
CREATE INDEX wishes_branch_open ON wishes (branch_id, closed_at, deadline);
