-- Several instances share one database and the leader among them runs the scheduled jobs. A job's run is recorded
-- by job and period (the scheduled time it is for): the instance that means to run it claims the row first (an
-- INSERT that does nothing on a conflict), so a period is run once whichever instance catches it up. A claim left
-- unfinished by an instance that lost the lead may be taken over by the next leader (claimed_by, claimed_at).
CREATE TABLE job_periods (
    job         TEXT NOT NULL,
    period      TEXT NOT NULL,
    claimed_by  TEXT NOT NULL,
    claimed_at  TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (job, period)
);
CREATE INDEX job_periods_period ON job_periods (period);
