-- Attendance reads every engagement row of the day's posts P by post and needs only the
-- username and first_seen_at (issue 7). With both in the index the read is index-only where
-- vacuum has marked pages visible, and heap visits follow physical order where it has not
-- (today's rows, moved by each re-fetch). Without it, once the table holds a few weeks of
-- evidence the planner prices the primary-key probes above a full scan and reads the whole
-- history (3.3 M rows: ~500 ms instead of ~60 ms). Costs the bulk upsert ~20 % (bench/ingest.py).
CREATE INDEX engagement_post_seen ON engagement (post_id, kind) INCLUDE (first_seen_at, username);
