-- Each ingestion fire time moves last_seen_at of every name it sees again (~40,000 rows at
-- bench/day.py's scale) and adds the new ones. The updates stay HOT (0009) but clear the
-- pages' all-visible bits, and attendance's done-mask query, index-only on the primary key
-- otherwise, then visits the table for every row: bench/recap.py's real-shaped table takes
-- 120-136 ms, 91 ms once vacuumed. By default autovacuum waits for 20 % of the table to
-- change, which for a table keeping weeks of evidence means days. A fixed threshold of about
-- half a fire time's writes has it pass after each ingestion, before the recaps that follow;
-- the visibility map lets it skip the pages nothing touched.
ALTER TABLE engagement SET (
    autovacuum_vacuum_scale_factor = 0,
    autovacuum_vacuum_threshold = 20000,
    autovacuum_vacuum_insert_scale_factor = 0,
    autovacuum_vacuum_insert_threshold = 20000
);
