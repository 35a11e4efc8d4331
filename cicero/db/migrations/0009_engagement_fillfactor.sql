-- Every ingestion moves last_seen_at of each name it sees again (data.md §3.4): tens of
-- thousands of row updates per fire time. With full pages almost none of them could stay on
-- their page, so each update added entries to every index and the table bloated (125 MB for
-- 40,725 rows over a simulated day). Half-empty pages let PostgreSQL update in place (HOT:
-- 99.8 % of updates in bench/ingest_day.py; PostgreSQL's CPU over the day 24 -> 13.5 s).
-- Applies to pages written from now on; a VACUUM FULL would repack older ones.
ALTER TABLE engagement SET (fillfactor = 50);
