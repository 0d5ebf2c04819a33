-- Grid workers (网格员) of a branch: members a secretary appointed to open sign-in codes (/signin) for the branch's
-- activities where they are, besides its secretaries. They confirm nothing and post nothing: those stay the
-- secretaries'. appointed_by is who appointed them; the audit log keeps every appointment and removal.
CREATE TABLE branch_grid_workers (
    branch_id    INTEGER NOT NULL REFERENCES branches (id),
    member_id    INTEGER NOT NULL REFERENCES members (id),
    appointed_by INTEGER REFERENCES members (id),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (branch_id, member_id)
);
CREATE INDEX branch_grid_workers_member ON branch_grid_workers (member_id);
