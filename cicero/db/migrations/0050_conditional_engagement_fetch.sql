-- Likers and commenters are fetched again only when a post's listed count moved or at an
-- audit fire time (data.md §3.4); otherwise the fetch is `unchanged` and costs no request.
-- `listed_count` is the post's listed like (IG) or comment (TikTok) count a fetch was made
-- at (NULL: the listing gave none), what the next fire time's listing is compared with.
ALTER TABLE engagement_fetch
    DROP CONSTRAINT engagement_fetch_outcome_check,
    ADD CONSTRAINT engagement_fetch_outcome_check
        CHECK (outcome IN ('complete', 'truncated', 'failed', 'unchanged')),
    ADD COLUMN listed_count bigint CHECK (listed_count >= 0);

ALTER TABLE ingest_run
    DROP CONSTRAINT ingest_run_outcome_check,
    ADD CONSTRAINT ingest_run_outcome_check CHECK (outcome IN
        ('running', 'complete', 'truncated', 'empty', 'failed', 'unavailable', 'skipped',
         'unchanged'));

-- Requests an `unchanged` fetch spared on the host's key, on the WIB day `calls_day` (the
-- pages its last fetch took): RapidAPI quota is money, so saved and spent are both shown.
ALTER TABLE upstream_host ADD COLUMN saved integer NOT NULL DEFAULT 0 CHECK (saved >= 0);
