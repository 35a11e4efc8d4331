-- The primary key carries first_seen_at, so it serves attendance's per-post reads by itself
-- (index-only: post, kind, username and first_seen_at are all in it), and 0008's separate
-- covering index goes: one index less for every engagement row written (bench/ingest.py).
-- first_seen_at never changes after insert, so re-fetch updates of last_seen_at stay HOT.
ALTER TABLE engagement
    DROP CONSTRAINT engagement_pkey,
    ADD CONSTRAINT engagement_pkey PRIMARY KEY (post_id, kind, username) INCLUDE (first_seen_at);
DROP INDEX engagement_post_seen;
