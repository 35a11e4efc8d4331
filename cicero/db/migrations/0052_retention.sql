-- Data that stops growing (issue 18): every table has a retention rule or a reason to keep
-- it (cicero.domain.runtime.retention), applied by the housekeeping job.
--
-- Engagement older than retention.engagement_days is compacted into what the week, month and
-- year reports read of it: per scope (a client, ORG or directorate, whose post set P of the
-- day it counts), day and platform, how many posts P held and, for each member of staff
-- whose handle engaged with at least one of them, how many. Arrays, one row per scope, day
-- and platform: ~30,000 counts a day for 5,000 staff in 30 clients would be ~110 bytes each
-- as rows with a key, ~14 as array elements (before compression).
CREATE TABLE attendance_day (
    scope     text     NOT NULL REFERENCES client (client_id) ON DELETE RESTRICT,
    platform  text     NOT NULL CHECK (platform IN ('instagram', 'tiktok')),
    wib_date  date     NOT NULL,
    posts     integer  NOT NULL CHECK (posts > 0),
    nrps      text[]   NOT NULL,   -- who did at least one post of P (handle as at compaction)
    done      smallint[] NOT NULL, -- how many, in the order of nrps
    PRIMARY KEY (scope, platform, wib_date),
    CHECK (cardinality(nrps) = cardinality(done))
);

-- A post whose engagement was compacted: its likers or commenters are in attendance_day, no
-- longer in engagement.
ALTER TABLE post ADD COLUMN engagement_compacted_at timestamptz;
CREATE INDEX post_to_compact ON post (wib_date) WHERE engagement_compacted_at IS NULL;

-- What the purges look up by age.
CREATE INDEX recap_log_age ON recap_log (fire_time);
CREATE INDEX ingest_run_age ON ingest_run (started_at);
CREATE INDEX outbox_age ON outbox (created_at);
CREATE INDEX inbox_age ON inbox (received_at);
CREATE INDEX session_log_age ON session_log (at);
CREATE INDEX otp_request_age ON otp_request (at);
CREATE INDEX task_announcement_age ON task_announcement (wib_date);
CREATE INDEX broadcast_state_age ON broadcast_state (wib_date);
